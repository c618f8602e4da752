"""Link security against real brokers: TLS with certificates made here,
untrusted certificates, plain peers on a TLS port, client certificates,
and maximumConnections."""

import os
import socket
import subprocess
import time
import unittest

from netbase import NetTestCase, connector_xml, metric, wait_for


def openssl(*args, cwd):
    subprocess.run(("openssl",) + args, cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_pki(d, name):
    """A CA and a certificate for 127.0.0.1 signed by it, in d/name-*."""
    os.makedirs(d, exist_ok=True)
    ca_key, ca = "%s-ca.key" % name, "%s-ca.pem" % name
    key, csr, crt = "%s.key" % name, "%s.csr" % name, "%s.pem" % name
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca,
            "-days", "2", "-subj", "/CN=%s test CA" % name, cwd=d)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
            "-subj", "/CN=127.0.0.1", cwd=d)
    with open(os.path.join(d, "san.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
            "-out", crt, "-days", "2", "-extfile", "san.ext", cwd=d)
    return {k: os.path.join(d, v) for k, v in (("ca", ca), ("key", key), ("cert", crt))}


def ssl_xml(pki=None, ca=None):
    attrs = ""
    if pki:
        attrs += ' certificate="%s" privateKey="%s"' % (pki["cert"], pki["key"])
    if ca:
        attrs += ' trustedCertificates="%s"' % ca
    return "<sslContext%s/>" % attrs


class Security(NetTestCase):
    BROKERS = ("A", "B")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pki = make_pki(os.path.join(cls.dir, "pki"), "good")
        cls.evil = make_pki(os.path.join(cls.dir, "pki"), "evil")

    def tls_b(self, client_auth=False, pki=None):
        opts = "?needClientAuth=true" if client_auth else ""
        b = self.sidecar("B", start=False, listener_opts=opts,
                         extra_children=ssl_xml(pki or self.pki, self.pki["ca"]))
        b.listener_scheme = "ssl"
        b.write_config()
        b.start()
        return b

    def tls_a(self, b, ca, pki=None):
        return self.sidecar("A", [connector_xml("to-B", ["ssl://127.0.0.1:%d" % b.link_port])],
                            extra_children=ssl_xml(pki, ca))

    def test_tls_link_forwards(self):
        b = self.tls_b()
        a = self.tls_a(b, self.pki["ca"])
        a.wait_link("B")
        q = self.queue("tls")
        cons = self.consumer("B", q)
        a.wait_subscription(q)
        self.produce("A", q, 200)
        self.assertEqual(sorted(self.ns(self.collect(cons, 200))), list(range(200)))

    def test_untrusted_certificate_refused(self):
        b = self.tls_b(pki=self.evil)       # B presents a certificate A does not trust
        a = self.tls_a(b, self.pki["ca"])
        wait_for(lambda: "certificate verify failed" in a.log_text(), 15,
                 what="verification failure logged on A")
        self.assertEqual(a.links_up(), [])
        self.assertEqual(b.links_up(), [])
        self.assertIn("TLS", a.status()["connectors"][0]["last_error"] or "")

    def test_plain_peer_on_tls_port_refused(self):
        b = self.tls_b()
        a = self.sidecar("A", [connector_xml("to-B", [b.link_port])])   # plain tcp://
        wait_for(lambda: "TLS" in b.log_text() and "link" in b.log_text(), 15,
                 what="TLS failure logged on B")
        time.sleep(1.0)
        self.assertEqual(b.links_up(), [])
        self.assertEqual(a.links_up(), [])
        self.assertEqual(b.status()["counters"]["forwarded"], 0)

    def test_client_certificate_required(self):
        b = self.tls_b(client_auth=True)
        a = self.tls_a(b, self.pki["ca"])          # no client certificate
        wait_for(lambda: "TLS" in b.log_text(), 15, what="refusal logged on B")
        self.assertEqual(b.links_up(), [])
        a.stop()
        good = self.sidecar("A", [connector_xml("to-B", ["ssl://127.0.0.1:%d" % b.link_port])],
                            extra_children=ssl_xml(self.pki, self.pki["ca"]))
        good.wait_link("B")

    def test_maximum_connections(self):
        b = self.sidecar("B", listener_opts="?maximumConnections=100")
        a = self.sidecar("A", [connector_xml("to-B", [b.link_port])])
        a.wait_link("B")
        q = self.queue("maxconn")
        cons = self.consumer("B", q)
        a.wait_subscription(q)
        socks, refused = [], 0
        try:
            for _ in range(200):
                s = socket.create_connection(("127.0.0.1", b.link_port), timeout=5)
                socks.append(s)
            time.sleep(1.0)
            for s in socks:
                s.settimeout(0.2)
                try:
                    data = s.recv(4096)
                    if b"too many connections" in data:
                        refused += 1
                except socket.timeout:
                    pass
            metric("200 raw connections against maximumConnections=100 (1 used by A's"
                   " link): %d refused with a reason" % refused)
            self.assertEqual(refused, 101)
            self.produce("A", q, 100)
            self.assertEqual(sorted(self.ns(self.collect(cons, 100))), list(range(100)))
        finally:
            for s in socks:
                s.close()

    def test_passwords_not_logged(self):
        b = self.sidecar("B", users={"net": "s3cret-pw"})
        a = self.sidecar("A", [connector_xml("to-B", [b.link_port], userName="net",
                                             password="s3cret-pw")])
        a.wait_link("B")
        bad = self.sidecar("A", [connector_xml("to-B", [b.link_port], userName="net",
                                               password="wr0ng-pw")], start=False)
        a.stop()
        bad.start()
        wait_for(lambda: "authentication failed" in b.log_text(), 10, what="refusal")
        for s in (a, b, bad):
            self.assertNotIn("s3cret-pw", s.log_text())
            self.assertNotIn("wr0ng-pw", s.log_text())


if __name__ == "__main__":
    unittest.main()
