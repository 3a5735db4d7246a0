#!/bin/sh
# Builds the native redis.call bridge (freshet_lua.c) into $1/native/linux-x86_64/ when this is
# x86-64 Linux with a C compiler and a JDK's jni.h; otherwise scripts use the pure luajava path.
out="$1/native/linux-x86_64"
here="$(cd "$(dirname "$0")" && pwd)"
if [ "$(uname -s)" != "Linux" ] || [ "$(uname -m)" != "x86_64" ]; then
  echo "freshet-lua: not x86-64 Linux, skipping the native bridge"; exit 0
fi
cc="$(command -v cc || command -v gcc || true)"
if [ -z "$cc" ]; then
  echo "freshet-lua: no C compiler, skipping the native bridge (scripts run, more slowly)"; exit 0
fi
javac_path="$(command -v javac || true)"
jdk="${JAVA_HOME:-}"
if [ -z "$jdk" ] && [ -n "$javac_path" ]; then
  jdk="$(dirname "$(dirname "$(readlink -f "$javac_path")")")"
fi
if [ ! -f "$jdk/include/jni.h" ]; then
  echo "freshet-lua: no jni.h under '$jdk', skipping the native bridge"; exit 0
fi
# Lua 5.1's headers come from Debian's liblua5.1-0-dev (installed by .ci/run); the bridge links
# against the Lua 5.1.5 inside luajava's natives, whose ABI those headers describe.
lua_include="${LUA51_INCLUDE:-/usr/include/lua5.1}"
if [ ! -f "$lua_include/lua.h" ]; then
  echo "freshet-lua: no Lua 5.1 headers in $lua_include (apt-get install liblua5.1-0-dev), skipping the native bridge"; exit 0
fi
mkdir -p "$out"
if [ "$out/libfreshetlua.so" -nt "$here/freshet_lua.c" ]; then
  exit 0
fi
"$cc" -O2 -shared -fPIC -Wall -I"$jdk/include" -I"$jdk/include/linux" -I"$lua_include" \
  -o "$out/libfreshetlua.so" "$here/freshet_lua.c" \
  || { echo "freshet-lua: native bridge did not compile, skipping it"; rm -f "$out/libfreshetlua.so"; exit 0; }
