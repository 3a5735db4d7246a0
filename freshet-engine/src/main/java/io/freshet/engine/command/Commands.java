package io.freshet.engine.command;

/** Registers every command family. Called once when the engine is built. */
public final class Commands {
  private Commands() {}

  public static void registerAll(CommandTable table) {
    ConnectionCommands.register(table);
    ClientCommands.register(table);
    KeyCommands.register(table);
    StringCommands.register(table);
    HashCommands.register(table);
    SetCommands.register(table);
    ListCommands.register(table);
    TransactionCommands.register(table);
    ServerCommands.register(table);
    ConfigCommands.register(table);
    CommandCommands.register(table);
    StreamCommands.register(table);
    StreamReadCommands.register(table);
    StreamGroupCommands.register(table);
    StreamInfoCommands.register(table);
    PersistenceCommands.register(table);
    StreamDeleteCommands.register(table);
    StreamIdempotencyCommands.register(table);
    StreamNackCommand.register(table);
    PubSubCommands.register(table);
  }
}
