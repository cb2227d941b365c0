// JavaTls: a tiny TLS server/client pair on Java's JSSE, used by scripts/make-pcaps.sh to put
// JSSE on the wire (it pads every TLS 1.3 record by 16 bytes, which mTLS inference must allow).
// Same flags and protocol as go-tls/main.go:
//
//   java JavaTls.java server --host H --port P --cert F --key F --ca F [--max 1.2|1.3]
//                            [--client-auth none|request|require] [--accept N]
//   java JavaTls.java client --host H --port P --ca F --servername S [--cert F --key F]
//                            [--max 1.2|1.3] [--expect-peer-cert yes|no] [--expect-fail]
//
// Keys are PKCS#8 PEM (as `openssl genpkey` writes them), RSA or EC. One JSON line per connection.
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.security.*;
import java.security.cert.*;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.*;
import javax.net.ssl.*;

public class JavaTls {
  static boolean failed = false;

  static void fail(String msg) {
    System.err.println("java-tls: " + msg);
    failed = true;
  }

  static X509Certificate readCert(String file) throws Exception {
    try (InputStream in = new FileInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  static PrivateKey readKey(String file) throws Exception {
    String pem = Files.readString(Path.of(file), StandardCharsets.US_ASCII);
    String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64));
    for (String alg : new String[] {"RSA", "EC"}) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(spec);
      } catch (Exception e) {
        // try the next algorithm
      }
    }
    throw new IllegalArgumentException("not an RSA or EC PKCS#8 key: " + file);
  }

  static SSLContext context(Map<String, String> o) throws Exception {
    char[] pw = "x".toCharArray();
    KeyManager[] km = null;
    if (o.containsKey("cert")) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, pw);
      ks.setKeyEntry("me", readKey(o.get("key")), pw, new java.security.cert.Certificate[] {readCert(o.get("cert"))});
      KeyManagerFactory f = KeyManagerFactory.getInstance("PKIX");
      f.init(ks, pw);
      km = f.getKeyManagers();
    }
    KeyStore ts = KeyStore.getInstance("PKCS12");
    ts.load(null, pw);
    ts.setCertificateEntry("ca", readCert(o.get("ca")));
    TrustManagerFactory tf = TrustManagerFactory.getInstance("PKIX");
    tf.init(ts);
    SSLContext c = SSLContext.getInstance("TLS");
    c.init(km, tf.getTrustManagers(), null);
    return c;
  }

  static String json(SSLSocket s, String key, String value) {
    SSLSession ss = s.getSession();
    return String.format("{\"protocol\":\"%s\",\"cipher\":\"%s\",\"%s\":\"%s\"}", ss.getProtocol(), ss.getCipherSuite(), key, value);
  }

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    Map<String, String> o = new HashMap<>();
    for (int i = 1; i < args.length; i++) {
      String k = args[i].substring(2);
      if (k.equals("expect-fail")) o.put(k, "yes");
      else o.put(k, args[++i]);
    }
    String[] protocols = o.getOrDefault("max", "1.3").equals("1.2") ? new String[] {"TLSv1.2"} : new String[] {"TLSv1.3", "TLSv1.2"};
    SSLContext ctx = context(o);
    String host = o.get("host");
    int port = Integer.parseInt(o.get("port"));
    if (mode.equals("server")) {
      Thread timer = new Thread(() -> {
        try {
          Thread.sleep(15000);
        } catch (InterruptedException e) {
          return;
        }
        System.err.println("java-tls: timed out");
        System.exit(1);
      });
      timer.setDaemon(true);
      timer.start();
      try (SSLServerSocket ss = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(port, 8, java.net.InetAddress.getByName(host))) {
        ss.setEnabledProtocols(protocols);
        String auth = o.getOrDefault("client-auth", "none");
        if (auth.equals("request")) ss.setWantClientAuth(true);
        else if (auth.equals("require")) ss.setNeedClientAuth(true);
        int n = Integer.parseInt(o.getOrDefault("accept", "1"));
        for (int i = 0; i < n; i++) {
          try (SSLSocket s = (SSLSocket) ss.accept()) {
            s.setSoTimeout(5000);
            String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            if (line == null) throw new IOException("no request");
            String peer;
            try {
              s.getSession().getPeerCertificates();
              peer = "yes";
            } catch (SSLPeerUnverifiedException e) {
              peer = "no";
            }
            OutputStream out = s.getOutputStream();
            out.write(("peer-cert: " + peer + "\n" + "reply from the java server ".repeat(40)).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            System.out.println(json(s, "peer_cert", peer));
          } catch (Exception e) {
            System.out.println("{\"error\":\"" + e.toString().replace("\"", "'") + "\"}");
          }
        }
      }
    } else {
      boolean expectFail = o.containsKey("expect-fail");
      try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(host, port)) {
        s.setSoTimeout(5000);
        s.setEnabledProtocols(protocols);
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName(o.get("servername"))));
        p.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(p);
        OutputStream out = s.getOutputStream();
        out.write("hello from the java client\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String head = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        if (head == null) throw new IOException("no reply");
        String got = head.replace("peer-cert:", "").trim();
        if (expectFail) fail("the connection was expected to fail");
        String want = o.get("expect-peer-cert");
        if (want != null && !want.equals(got)) fail("server saw a client certificate: " + got + ", expected " + want);
        System.out.println(json(s, "server_saw_peer_cert", got));
      } catch (IOException e) {
        if (!expectFail) fail("connect: " + e);
        System.out.println("{\"error\":\"" + e.toString().replace("\"", "'") + "\"}");
      }
    }
    System.exit(failed ? 1 : 0);
  }
}
