/*
 * Freshet's native bridge for redis.call and redis.pcall: one C function per call that copies
 * the arguments from the Lua stack into memory shared with Java (a direct ByteBuffer), makes
 * one JNI upcall with two ints (NativeBridge.call), and pushes the RESP reply Java left in the
 * same memory as Lua values, by Redis's conversion rules.
 * It replaces the generic luajava path (a Java callback that reads each argument and pushes
 * each value with a JNI call of its own), which costs several times more per call.
 *
 * It links against the Lua 5.1 that luajava loads (made global with loadAsGlobal), so scripts
 * and this bridge share one interpreter. Runs on the engine thread only.
 */
#include <jni.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lua.h>
#include <lauxlib.h>

static JavaVM *jvm;
static jclass bridge_class;
static jmethodID call_method;
static jmethodID grow_method;
/* Memory shared with Java (a direct ByteBuffer): arguments go in, the reply comes back. */
static char *shared;
static jint shared_capacity;

/* Called by Java when it (re)allocates the shared buffer. */
JNIEXPORT void JNICALL Java_io_freshet_lua_NativeBridge_setBuffer(JNIEnv *env, jclass cls, jobject buffer) {
  (void) cls;
  shared = (char *) (*env)->GetDirectBufferAddress(env, buffer);
  shared_capacity = (jint) (*env)->GetDirectBufferCapacity(env, buffer);
}

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved) {
  (void) reserved;
  jvm = vm;
  return JNI_VERSION_1_6;
}

static void push_err_table(lua_State *L, const char *msg, size_t len) {
  lua_createtable(L, 0, 1);
  lua_pushlstring(L, "err", 3);
  lua_pushlstring(L, msg, len);
  lua_rawset(L, -3);
}

/* The end of the CRLF-terminated line starting at pos (index of '\r'), or len. */
static size_t line_end(const char *b, size_t len, size_t pos) {
  while (pos < len && b[pos] != '\r') {
    pos++;
  }
  return pos;
}

static long long parse_ll(const char *b, size_t from, size_t to) {
  int negative = from < to && b[from] == '-';
  long long v = 0;
  for (size_t i = negative ? from + 1 : from; i < to; i++) {
    v = v * 10 + (b[i] - '0');
  }
  return negative ? -v : v;
}

static void set_field(lua_State *L, const char *key) {
  lua_pushstring(L, key);
  lua_insert(L, -2);
  lua_rawset(L, -3);
}

/* Pushes the reply at pos (Redis's RESP -> Lua rules); returns the position after it. */
static size_t push_reply(lua_State *L, const char *b, size_t len, size_t pos) {
  if (pos >= len) {
    lua_pushnil(L);
    return len;
  }
  luaL_checkstack(L, 8, "reached lua stack limit");
  char type = b[pos];
  size_t end = line_end(b, len, pos);
  size_t next = end + 2;
  switch (type) {
    case '+':
      lua_createtable(L, 0, 1);
      lua_pushlstring(L, b + pos + 1, end - pos - 1);
      set_field(L, "ok");
      return next;
    case '-':
      lua_createtable(L, 0, 1);
      lua_pushlstring(L, b + pos + 1, end - pos - 1);
      set_field(L, "err");
      return next;
    case ':':
      lua_pushnumber(L, (lua_Number) parse_ll(b, pos + 1, end));
      return next;
    case '$': {
      long long n = parse_ll(b, pos + 1, end);
      if (n < 0) {
        lua_pushboolean(L, 0);
        return next;
      }
      lua_pushlstring(L, b + next, (size_t) n);
      return next + (size_t) n + 2;
    }
    case '*':
    case '>': {
      long long n = parse_ll(b, pos + 1, end);
      if (n < 0) {
        lua_pushboolean(L, 0);
        return next;
      }
      lua_createtable(L, (int) n, 0);
      for (long long i = 1; i <= n; i++) {
        next = push_reply(L, b, len, next);
        lua_rawseti(L, -2, (int) i);
      }
      return next;
    }
    case '%': {
      long long n = parse_ll(b, pos + 1, end);
      lua_createtable(L, 0, 1);
      lua_createtable(L, 0, (int) n);
      for (long long i = 0; i < n; i++) {
        next = push_reply(L, b, len, next);
        next = push_reply(L, b, len, next);
        lua_rawset(L, -3);
      }
      set_field(L, "map");
      return next;
    }
    case '~': {
      long long n = parse_ll(b, pos + 1, end);
      lua_createtable(L, 0, 1);
      lua_createtable(L, 0, (int) n);
      for (long long i = 0; i < n; i++) {
        next = push_reply(L, b, len, next);
        lua_pushboolean(L, 1);
        lua_rawset(L, -3);
      }
      set_field(L, "set");
      return next;
    }
    case '_':
      lua_pushnil(L);
      return next;
    case ',': {
      char buf[64];
      size_t n = end - pos - 1 < sizeof(buf) - 1 ? end - pos - 1 : sizeof(buf) - 1;
      memcpy(buf, b + pos + 1, n);
      buf[n] = 0;
      lua_createtable(L, 0, 1);
      lua_pushnumber(L, strtod(buf, NULL));
      set_field(L, "double");
      return next;
    }
    case '#':
      lua_pushboolean(L, b[pos + 1] == 't');
      return next;
    case '(':
      lua_createtable(L, 0, 1);
      lua_pushlstring(L, b + pos + 1, end - pos - 1);
      set_field(L, "big_number");
      return next;
    case '=': {
      long long n = parse_ll(b, pos + 1, end);
      lua_createtable(L, 0, 1);
      lua_createtable(L, 0, 2);
      lua_pushlstring(L, b + next, 3);
      set_field(L, "format");
      lua_pushlstring(L, b + next + 4, (size_t) n - 4);
      set_field(L, "string");
      set_field(L, "verbatim_string");
      return next + (size_t) n + 2;
    }
    default:
      lua_pushnil(L);
      return len;
  }
}

/* Pushes {err = message}, message being a RESP error line kept as Redis's luaPushErrorBuff does. */
static void push_error_reply(lua_State *L, const char *b, size_t len) {
  size_t end = line_end(b, len, 0);
  const char *msg = b + 1;
  size_t n = end - 1;
  if (memchr(msg, ' ', n) == NULL) {
    luaL_Buffer buf;
    lua_createtable(L, 0, 1);
    lua_pushlstring(L, "err", 3);
    luaL_buffinit(L, &buf);
    luaL_addlstring(&buf, "ERR ", 4);
    luaL_addlstring(&buf, msg, n);
    luaL_pushresult(&buf);
    lua_rawset(L, -3);
  } else {
    push_err_table(L, msg, n);
  }
  /* the command already counted this error in errorstats: the script's reply must not again */
  lua_pushlstring(L, "ignore_error_stats_update", 25);
  lua_pushboolean(L, 1);
  lua_rawset(L, -3);
}

/* Decimal digits of v at out (no terminator); returns their count. */
static size_t format_integer(char *out, long long v) {
  char digits[24];
  size_t n = 0;
  unsigned long long u = v < 0 ? 0ULL - (unsigned long long) v : (unsigned long long) v;
  do {
    digits[n++] = (char) ('0' + u % 10);
    u /= 10;
  } while (u != 0);
  size_t len = 0;
  if (v < 0) {
    out[len++] = '-';
  }
  while (n > 0) {
    out[len++] = digits[--n];
  }
  return len;
}

static int bridge_call(lua_State *L, int raise) {
  int argc = lua_gettop(L);
  JNIEnv *env;
  if ((*jvm)->GetEnv(jvm, (void **) &env, JNI_VERSION_1_6) != JNI_OK) {
    return luaL_error(L, "no JNI environment on this thread");
  }
  if (argc == 0) {
    static const char msg[] = "ERR Please specify at least one argument for this redis lib call";
    push_err_table(L, msg, sizeof(msg) - 1);
    return raise ? lua_error(L) : 1;
  }
  /* Arguments as (int32 length, bytes)*; numbers as Redis formats them (%.17g). */
  size_t total = 0;
  for (int i = 1; i <= argc; i++) {
    int t = lua_type(L, i);
    if (t == LUA_TNUMBER) {
      total += 4 + 32;
    } else if (t == LUA_TSTRING) {
      total += 4 + lua_objlen(L, i);
    } else {
      static const char msg[] = "ERR Lua redis lib command arguments must be strings or integers";
      push_err_table(L, msg, sizeof(msg) - 1);
      return raise ? lua_error(L) : 1;
    }
  }
  if (total > (size_t) shared_capacity) {
    if (total > 0x7fffffff) {
      return luaL_error(L, "arguments too large");
    }
    (*env)->CallStaticVoidMethod(env, bridge_class, grow_method, (jint) total);
    if ((*env)->ExceptionCheck(env)) {
      (*env)->ExceptionClear(env);
      return luaL_error(L, "out of memory");
    }
  }
  size_t pos = 0;
  for (int i = 1; i <= argc; i++) {
    size_t len;
    if (lua_type(L, i) == LUA_TNUMBER) {
      lua_Number d = lua_tonumber(L, i);
      char *out = shared + pos + 4;
      if (d == (lua_Number) (long long) d && d > -1e15 && d < 1e15 && !(d == 0 && 1 / d < 0)) {
        len = format_integer(out, (long long) d); /* what %.17g prints for these */
      } else {
        len = (size_t) snprintf(out, 32, "%.17g", (double) d);
      }
    } else {
      const char *s = lua_tolstring(L, i, &len);
      memcpy(shared + pos + 4, s, len);
    }
    int32_t l32 = (int32_t) len;
    memcpy(shared + pos, &l32, 4);
    pos += 4 + len;
  }
  jint n = (*env)->CallStaticIntMethod(env, bridge_class, call_method, (jint) argc, (jint) pos);
  if ((*env)->ExceptionCheck(env) || n < 0) {
    static const char msg[] = "ERR internal error running the command from the script";
    (*env)->ExceptionClear(env);
    push_err_table(L, msg, sizeof(msg) - 1);
    return raise ? lua_error(L) : 1;
  }
  lua_settop(L, 0);
  int failed = n > 0 && shared[0] == '-';
  if (failed) {
    push_error_reply(L, shared, (size_t) n);
    return raise ? lua_error(L) : 1;
  }
  push_reply(L, shared, (size_t) n, 0);
  return 1;
}

static int bridge_call_raise(lua_State *L) {
  return bridge_call(L, 1);
}

static int bridge_call_pcall(lua_State *L) {
  return bridge_call(L, 0);
}

/* Pushes a table of `count` strings read from the shared memory at *pos as (int32 length, bytes)*. */
static void push_strings(lua_State *L, size_t *pos, int count) {
  lua_createtable(L, count, 0);
  for (int i = 1; i <= count; i++) {
    int32_t len;
    memcpy(&len, shared + *pos, 4);
    lua_pushlstring(L, shared + *pos + 4, (size_t) len);
    lua_rawseti(L, -2, i);
    *pos += 4 + (size_t) len;
  }
}

/*
 * Runs a script: runner(fn, keys, args) under the error handler, keys and args read from the
 * shared memory (and set as the KEYS and ARGV globals for EVAL). Returns what is left: 0 the value on the stack (Java converts it), 1 an error
 * object on the stack, 2 a number (double in shared), 3 a string (int32 length + bytes in
 * shared), 4 true, 5 false, 6 nil. The common results skip the JNI calls a conversion costs.
 */
JNIEXPORT jint JNICALL Java_io_freshet_lua_NativeBridge_runScript(JNIEnv *env, jclass cls, jlong ptr,
    jint handler, jint runner, jint fn, jint numKeys, jint numArgs, jboolean globals) {
  (void) env;
  (void) cls;
  lua_State *L = (lua_State *) (intptr_t) ptr;
  lua_settop(L, 0);
  if (!lua_checkstack(L, 8)) {
    return 1;
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, handler);
  lua_rawgeti(L, LUA_REGISTRYINDEX, runner);
  lua_rawgeti(L, LUA_REGISTRYINDEX, fn);
  size_t pos = 0;
  push_strings(L, &pos, numKeys);
  push_strings(L, &pos, numArgs);
  if (globals) {
    /* EVAL: KEYS and ARGV are globals of the thread's (plain) global table */
    lua_pushvalue(L, -2);
    lua_setfield(L, LUA_GLOBALSINDEX, "KEYS");
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_GLOBALSINDEX, "ARGV");
  }
  if (lua_pcall(L, 3, 1, 1) != 0) {
    return 1;
  }
  switch (lua_type(L, -1)) {
    case LUA_TNUMBER: {
      double d = (double) lua_tonumber(L, -1);
      memcpy(shared, &d, 8);
      lua_settop(L, 0);
      return 2;
    }
    case LUA_TSTRING: {
      size_t len;
      const char *s = lua_tolstring(L, -1, &len);
      if (len + 4 > (size_t) shared_capacity) {
        return 0;
      }
      int32_t l32 = (int32_t) len;
      memcpy(shared, &l32, 4);
      memcpy(shared + 4, s, len);
      lua_settop(L, 0);
      return 3;
    }
    case LUA_TBOOLEAN: {
      int b = lua_toboolean(L, -1);
      lua_settop(L, 0);
      return b ? 4 : 5;
    }
    case LUA_TNIL:
      lua_settop(L, 0);
      return 6;
    default:
      return 0;
  }
}

/* Pushes redis.call's and redis.pcall's C functions on the given state's stack. */
JNIEXPORT void JNICALL Java_io_freshet_lua_NativeBridge_pushFunctions(JNIEnv *env, jclass cls, jlong ptr) {
  lua_State *L = (lua_State *) (intptr_t) ptr;
  if (bridge_class == NULL) {
    bridge_class = (jclass) (*env)->NewGlobalRef(env, cls);
    call_method = (*env)->GetStaticMethodID(env, cls, "call", "(II)I");
    grow_method = (*env)->GetStaticMethodID(env, cls, "grow", "(I)V");
  }
  lua_pushcfunction(L, bridge_call_raise);
  lua_pushcfunction(L, bridge_call_pcall);
}
