module tlsscope/go-tls

go 1.22
