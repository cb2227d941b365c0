// go-tls: a tiny TLS server/client pair on Go's crypto/tls, used by scripts/make-pcaps.sh to
// put Go's TLS stack on the wire (it sends each handshake message in a record of its own, and
// a Go server sends its session tickets before the client's Finished when it asked for a
// client certificate).
//
//	go-tls server --host H --port P --cert F --key F --ca F [--max 1.2|1.3]
//	              [--client-auth none|request|require] [--alpn h2,...] [--accept N]
//	go-tls client --host H --port P --ca F --servername S [--cert F --key F] [--max 1.2|1.3]
//	              [--alpn h2,...] [--resume] [--expect-peer-cert yes|no] [--expect-fail]
//
// The client sends one line; the server answers "peer-cert: yes|no" and closes. Each side
// prints one JSON line per connection and exits 1 when something is not as asked. The server
// exits after --accept connections or 15 s.
package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

var failed = false

func fail(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "go-tls: "+format+"\n", a...)
	failed = true
}

func versionName(v uint16) string {
	switch v {
	case tls.VersionTLS13:
		return "TLSv1.3"
	case tls.VersionTLS12:
		return "TLSv1.2"
	}
	return fmt.Sprintf("0x%04x", v)
}

func report(st tls.ConnectionState, extra map[string]any) {
	m := map[string]any{"protocol": versionName(st.Version), "cipher": tls.CipherSuiteName(st.CipherSuite), "alpn": st.NegotiatedProtocol, "reused": st.DidResume}
	for k, v := range extra {
		m[k] = v
	}
	b, _ := json.Marshal(m)
	fmt.Println(string(b))
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: go-tls server|client [flags]")
		os.Exit(2)
	}
	mode := os.Args[1]
	fs := flag.NewFlagSet(mode, flag.ExitOnError)
	host := fs.String("host", "", "address")
	port := fs.Int("port", 443, "port")
	certFile := fs.String("cert", "", "certificate (PEM)")
	keyFile := fs.String("key", "", "private key (PEM)")
	caFile := fs.String("ca", "", "trusted CA (PEM)")
	maxV := fs.String("max", "1.3", "highest version: 1.2 or 1.3")
	clientAuth := fs.String("client-auth", "none", "none, request or require")
	alpn := fs.String("alpn", "", "ALPN protocols, comma separated")
	accept := fs.Int("accept", 1, "connections to accept")
	serverName := fs.String("servername", "", "SNI and the name to verify")
	resume := fs.Bool("resume", false, "connect twice, resuming the first session")
	expectPeer := fs.String("expect-peer-cert", "", "yes or no: what the server must report")
	expectFail := fs.Bool("expect-fail", false, "the connection must fail")
	fs.Parse(os.Args[2:])

	cfg := &tls.Config{MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS13, ServerName: *serverName}
	if *maxV == "1.2" {
		cfg.MaxVersion = tls.VersionTLS12
	}
	if *caFile != "" {
		pem, err := os.ReadFile(*caFile)
		if err != nil {
			fail("%v", err)
			os.Exit(1)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		cfg.RootCAs, cfg.ClientCAs = pool, pool
	}
	if *certFile != "" {
		c, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			fail("%v", err)
			os.Exit(1)
		}
		cfg.Certificates = []tls.Certificate{c}
	}
	if *alpn != "" {
		cfg.NextProtos = strings.Split(*alpn, ",")
	}
	addr := net.JoinHostPort(*host, fmt.Sprint(*port))

	if mode == "server" {
		switch *clientAuth {
		case "request":
			cfg.ClientAuth = tls.VerifyClientCertIfGiven
		case "require":
			cfg.ClientAuth = tls.RequireAndVerifyClientCert
		}
		l, err := tls.Listen("tcp", addr, cfg)
		if err != nil {
			fail("%v", err)
			os.Exit(1)
		}
		go func() { time.Sleep(15 * time.Second); fail("timed out"); os.Exit(1) }()
		for i := 0; i < *accept; i++ {
			c, err := l.Accept()
			if err != nil {
				fail("%v", err)
				break
			}
			serve(c.(*tls.Conn))
		}
		l.Close()
	} else {
		cfg.ClientSessionCache = tls.NewLRUClientSessionCache(4)
		n := 1
		if *resume {
			n = 2
		}
		for i := 0; i < n; i++ {
			connect(addr, cfg, i == 1, *expectPeer, *expectFail)
		}
	}
	if failed {
		os.Exit(1)
	}
}

func serve(c *tls.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if err := c.Handshake(); err != nil {
		fmt.Printf("{\"error\":%q}\n", err.Error())
		return
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	st := c.ConnectionState()
	peer := "no"
	if len(st.PeerCertificates) > 0 {
		peer = "yes"
	}
	if err != nil {
		fmt.Printf("{\"error\":%q}\n", err.Error())
		return
	}
	fmt.Fprintf(c, "peer-cert: %s\n%s", peer, strings.Repeat("reply from the go server ", 40))
	report(st, map[string]any{"peer_cert": peer, "got": strings.TrimSpace(line)})
}

func connect(addr string, cfg *tls.Config, mustResume bool, expectPeer string, expectFail bool) {
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, cfg)
	if err != nil {
		if !expectFail {
			fail("connect: %v", err)
		}
		fmt.Printf("{\"error\":%q}\n", err.Error())
		return
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(c, "hello from the go client\n")
	r := bufio.NewReader(c)
	head, err := r.ReadString('\n')
	if err != nil {
		// TLS 1.3: a server that refuses the client's certificate says so after the handshake.
		if !expectFail {
			fail("read: %v", err)
		}
		fmt.Printf("{\"error\":%q}\n", err.Error())
		return
	}
	if expectFail {
		fail("the connection was expected to fail")
	}
	st := c.ConnectionState()
	if mustResume && !st.DidResume {
		fail("the session was not resumed")
	}
	got := strings.TrimSpace(strings.TrimPrefix(head, "peer-cert:"))
	if expectPeer != "" && got != expectPeer {
		fail("server saw a client certificate: %s, expected %s", got, expectPeer)
	}
	report(st, map[string]any{"server_saw_peer_cert": got})
}
