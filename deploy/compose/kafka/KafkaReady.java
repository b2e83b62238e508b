import java.io.*;
import java.net.*;

/**
 * `java KafkaReady HOST:PORT`: exit 0 when a Kafka broker there answers a Metadata request (v4,
 * which every Kafka since 1.0 and 4.x serves) listing at least one broker; 1 otherwise, with the
 * reason on stderr. No client library: a JVM that starts in a fraction of a second.
 */
public class KafkaReady {
  public static void main(String[] args) {
    String target = args.length > 0 ? args[0] : "127.0.0.1:9092";
    int colon = target.lastIndexOf(':');
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1))), 2000);
      socket.setSoTimeout(3000);
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      DataOutputStream request = new DataOutputStream(body);
      request.writeShort(3);                 // api_key: Metadata
      request.writeShort(4);                 // api_version
      request.writeInt(7);                   // correlation_id
      request.writeShort(11);                // client_id
      request.writeBytes("kafka-ready");
      request.writeInt(-1);                  // topics: null (all)
      request.writeBoolean(false);           // allow_auto_topic_creation
      DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
      out.writeInt(body.size());
      body.writeTo(out);
      out.flush();
      DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
      if (in.readInt() < 12) throw new IOException("short response");
      if (in.readInt() != 7) throw new IOException("wrong correlation id: not a Kafka broker?");
      in.readInt();                          // throttle_time_ms
      int brokers = in.readInt();
      if (brokers < 1) throw new IOException("metadata lists no broker yet");
      System.out.println("ready: " + brokers + " broker(s)");
    } catch (IOException | RuntimeException e) {
      System.err.println("not ready: " + e);
      System.exit(1);
    }
  }
}
