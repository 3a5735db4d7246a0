package io.freshet.engine.keyspace;

import io.freshet.engine.protocol.Numbers;

/**
 * A set of byte strings. Tracks Redis's encodings: {@code intset} while every member is an
 * integer (and replies are then in numeric order, as an intset's are), {@code listpack} while
 * small, then {@code hashtable} for good. Owned by the engine thread.
 */
public final class SetValue {
  public final Dict<Boolean> members = new Dict<>();
  private boolean allIntegers = true;
  private boolean hashtable;

  /** An independent copy, for snapshots. */
  public SetValue copy() {
    SetValue s = new SetValue();
    for (Dict.Entry<Boolean> e = members.first(); e != null; e = e.after()) {
      s.members.put(e.key(), Boolean.TRUE);
    }
    s.allIntegers = allIntegers;
    s.hashtable = hashtable;
    return s;
  }

  public boolean add(byte[] member, int maxIntsetEntries, int maxListpackEntries, int maxListpackValue) {
    if (members.put(member, Boolean.TRUE) != null) {
      return false;
    }
    if (allIntegers && Numbers.parseLong(member) == null) {
      allIntegers = false;
    }
    if (allIntegers && members.size() > maxIntsetEntries) {
      allIntegers = false;
      hashtable = true;
    }
    if (!allIntegers && !hashtable && (members.size() > maxListpackEntries || member.length > maxListpackValue)) {
      hashtable = true;
    }
    return true;
  }

  public boolean isIntset() {
    return allIntegers && !hashtable;
  }

  /** Small encodings are scanned in one call, as Redis does for intsets and listpacks. */
  public boolean isCompact() {
    return !hashtable;
  }

  public String encoding() {
    if (isIntset()) {
      return "intset";
    }
    return hashtable ? "hashtable" : "listpack";
  }

  public long memoryBytes() {
    long total = 48 + (long) members.capacity() * 4;
    for (Dict.Entry<Boolean> e = members.first(); e != null; e = e.after()) {
      total += 40 + 16 + e.key().length;
    }
    return total;
  }
}
