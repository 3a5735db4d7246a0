package io.freshet.server.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A minimal RESP client that returns replies as raw bytes, for byte-for-byte comparisons. */
public final class RawClient implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  public RawClient(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    socket.setTcpNoDelay(true);
    in = new BufferedInputStream(socket.getInputStream(), 65536);
    out = socket.getOutputStream();
  }

  public static byte[] encode(List<byte[]> args) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(("*" + args.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
    for (byte[] a : args) {
      b.writeBytes(("$" + a.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      b.writeBytes(a);
      b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    return b.toByteArray();
  }

  public static byte[] encode(String... args) {
    List<byte[]> list = new ArrayList<>();
    for (String a : args) {
      list.add(a.getBytes(StandardCharsets.UTF_8));
    }
    return encode(list);
  }

  /** Sends one command and returns its raw reply. */
  public String call(String... args) throws IOException {
    sendRaw(encode(args));
    return readReply();
  }

  public String call(List<byte[]> args) throws IOException {
    sendRaw(encode(args));
    return readReply();
  }

  /** Sends a command whose reply is a bulk string, and returns its bytes (null for a null bulk). */
  public byte[] callBulk(String... args) throws IOException {
    sendRaw(encode(args));
    StringBuilder header = new StringBuilder();
    int ch;
    while ((ch = in.read()) != '\n') {
      if (ch < 0) {
        throw new IOException("connection closed");
      }
      header.append((char) ch);
    }
    String h = header.toString().trim();
    if (!h.startsWith("$")) {
      throw new IOException("not a bulk reply: " + h);
    }
    int n = Integer.parseInt(h.substring(1));
    if (n < 0) {
      return null;
    }
    byte[] out = in.readNBytes(n);
    in.readNBytes(2);
    return out;
  }

  public void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  public void sendRaw(String s) throws IOException {
    sendRaw(s.getBytes(StandardCharsets.UTF_8));
  }

  /** Reads one complete reply (of any RESP2/RESP3 type) as text. */
  public String readReply() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    readInto(b);
    return b.toString(StandardCharsets.UTF_8);
  }

  private String readLine(ByteArrayOutputStream b) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int prev = -1;
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("connection closed");
      }
      b.write(c);
      line.write(c);
      if (prev == '\r' && c == '\n') {
        byte[] l = line.toByteArray();
        return new String(l, 0, l.length - 2, StandardCharsets.UTF_8);
      }
      prev = c;
    }
  }

  private void readInto(ByteArrayOutputStream b) throws IOException {
    String line = readLine(b);
    char type = line.charAt(0);
    switch (type) {
      case '+', '-', ':', ',', '#', '_', '(' -> { }
      case '$', '=', '!' -> {
        int n = Integer.parseInt(line.substring(1));
        if (n >= 0) {
          b.write(in.readNBytes(n + 2));
        }
      }
      case '*', '~', '>', '%', '|' -> {
        int n = Integer.parseInt(line.substring(1));
        if (type == '%' || type == '|') {
          n *= 2;
        }
        for (int i = 0; i < n; i++) {
          readInto(b);
        }
      }
      default -> throw new IOException("bad reply type: " + line);
    }
  }

  /** True if the server closed the connection (reads EOF within the timeout). */
  public boolean isClosedByServer() throws IOException {
    socket.setSoTimeout(5000);
    try {
      while (true) {
        if (in.read() < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  /** INFO's blocked_clients. */
  public int blockedClients() throws IOException {
    String info = call("INFO", "clients");
    return Integer.parseInt(info.replaceAll("(?s).*blocked_clients:(\\d+).*", "$1"));
  }

  /** Waits (up to 2 s) until exactly {@code n} clients are blocked, then asserts it. */
  public void awaitBlocked(int n) throws IOException, InterruptedException {
    for (int i = 0; i < 400 && blockedClients() != n; i++) {
      Thread.sleep(5);
    }
    org.assertj.core.api.Assertions.assertThat(blockedClients()).as("blocked clients").isEqualTo(n);
  }

  public Socket socket() {
    return socket;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
