package io.freshet.engine.command;

import io.freshet.engine.Call;
import io.freshet.engine.CommandError;
import io.freshet.engine.Errors;
import io.freshet.engine.Persistence;
import io.freshet.engine.keyspace.Database;

/**
 * SAVE, BGSAVE, BGREWRITEAOF, LASTSAVE, DUMP and RESTORE: thin commands over the host's
 * {@link Persistence}. Engine thread only.
 */
final class PersistenceCommands {
  private PersistenceCommands() {}

  static void register(CommandTable t) {
    t.register("save", c -> {
      persistence(c).save();
      c.out.ok();
    });
    t.register("bgsave", PersistenceCommands::bgsave);
    t.register("bgrewriteaof", c -> c.out.simple(persistence(c).rewriteLog()));
    t.register("lastsave", c -> c.out.integer(c.engine.persistence == null ? c.engine.stats.startMs / 1000
        : c.engine.persistence.lastSaveSeconds()));
    t.register("dump", PersistenceCommands::dump);
    t.register("restore", PersistenceCommands::restore);
  }

  static Persistence persistence(Call c) {
    Persistence p = c.engine.persistence;
    if (p == null) {
      throw new CommandError("ERR persistence is not available in this server");
    }
    return p;
  }

  private static void bgsave(Call c) {
    boolean schedule = false;
    if (c.argc() == 2 && c.argIs(1, "SCHEDULE")) {
      schedule = true;
    } else if (c.argc() > 1) {
      throw new CommandError(Errors.SYNTAX);
    }
    c.out.simple(persistence(c).bgsave(schedule));
  }

  private static void dump(Call c) {
    Object v = c.lookupRead(c.arg(1));
    if (v == null) {
      c.out.nullBulk();
      return;
    }
    c.out.bulk(persistence(c).dump(v));
  }

  private static void restore(Call c) {
    boolean replace = false;
    boolean absTtl = false;
    long idle = -1;
    long freq = -1;
    for (int j = 4; j < c.argc(); j++) {
      int more = c.argc() - j - 1;
      if (c.argIs(j, "REPLACE")) {
        replace = true;
      } else if (c.argIs(j, "ABSTTL")) {
        absTtl = true;
      } else if (c.argIs(j, "IDLETIME") && more >= 1 && freq == -1) {
        idle = c.longArg(j + 1);
        if (idle < 0) {
          throw new CommandError("ERR Invalid IDLETIME value, must be >= 0");
        }
        j++;
      } else if (c.argIs(j, "FREQ") && more >= 1 && idle == -1) {
        freq = c.longArg(j + 1);
        if (freq < 0 || freq > 255) {
          throw new CommandError("ERR Invalid FREQ value, must be >= 0 and <= 255");
        }
        j++;
      } else {
        throw new CommandError(Errors.SYNTAX);
      }
    }
    byte[] key = c.arg(1);
    Database db = c.db();
    if (!replace && c.lookupWrite(key) != null) {
      throw new CommandError("BUSYKEY Target key name already exists.");
    }
    long ttl = c.longArg(2);
    if (ttl < 0) {
      throw new CommandError("ERR Invalid TTL value, must be >= 0");
    }
    Object value = persistence(c).restore(c.arg(3));
    boolean deleted = replace && c.lookupWrite(key) != null && db.delete(key);
    if (ttl != 0 && !absTtl) {
      ttl += c.nowMs;
    }
    if (ttl != 0 && ttl <= c.nowMs) {
      if (deleted) {
        c.modified(key);
      }
      c.out.ok();
      return;
    }
    db.add(key, value);
    if (ttl != 0) {
      db.setExpire(key, ttl);
    }
    c.modified(key);
    c.out.ok();
  }
}
