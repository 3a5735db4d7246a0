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
mkdir -p "$out"
if [ "$out/libfreshetlua.so" -nt "$here/freshet_lua.c" ]; then
  exit 0
fi
"$cc" -O2 -shared -fPIC -Wall -I"$jdk/include" -I"$jdk/include/linux" -I"$here/lua51" \
  -o "$out/libfreshetlua.so" "$here/freshet_lua.c" \
  || { echo "freshet-lua: native bridge did not compile, skipping it"; rm -f "$out/libfreshetlua.so"; exit 0; }
