"""TLS between a sidecar and its own broker (issue 19: "TLS to the broker,
ssl:// for OpenWire"). Broker A gets an OpenWire connector over TLS
(ssl://127.0.0.1:PORT) with a certificate for 127.0.0.1 signed by a CA made
here, in a PKCS12 key store; the sidecar trusts that CA through
<sslContext trustedCertificates>.

- over ssl:// (OpenWire) and stomp+ssl:// (STOMP): demand and forwarding
  work as over tcp:// and stomp:// (200 and 100 messages A -> B, each
  exactly once);
- a broker certificate the sidecar does not trust: the session never comes
  up, the log names the verification failure, nothing is forwarded;
- an ssl:// broker URI without trustedCertificates: the configuration is
  refused (file and line) and the sidecar does not start;
- a broker connector with needClientAuth (its trust store holds another CA,
  the clients'): a sidecar that presents a certificate signed by that CA
  (<sslContext certificate privateKey>) forwards; one that presents none
  never gets a session.

    cd tests/integration && python3 -m unittest -v test_broker_tls
"""

import os
import subprocess
import tempfile
import unittest

import netbase
from netbase import NetTestCase, connector_xml, wait_for
from test_security import make_pki, openssl, ssl_xml

PASSWORD = "brokernet-test"


def keystore(pki, d):
    """The broker's key and certificate as a PKCS12 key store."""
    path = os.path.join(d, "broker.p12")
    openssl("pkcs12", "-export", "-in", pki["cert"], "-inkey", pki["key"],
            "-out", path, "-name", "broker", "-passout", "pass:" + PASSWORD, cwd=d)
    return path


def truststore(ca, d):
    """A JKS trust store holding the CA certificate ca (keytool: Java reads
    no trusted entries from an OpenSSL 3.0 certificate-only PKCS12)."""
    path = os.path.join(d, "trust.jks")
    subprocess.run(("keytool", "-importcert", "-noprompt", "-alias", "clients",
                    "-file", ca, "-keystore", path, "-storetype", "jks",
                    "-storepass", PASSWORD), check=True, capture_output=True)
    return path


class BrokerTls(NetTestCase):
    BROKERS = ("A", "B")

    @classmethod
    def setUpClass(cls):
        os.makedirs(netbase.OUT, exist_ok=True)
        cls.pkidir = tempfile.mkdtemp(prefix="pki-BrokerTls-", dir=netbase.OUT)
        cls.pki = make_pki(cls.pkidir, "good")
        cls.evil = make_pki(cls.pkidir, "evil")
        cls.client_pki = make_pki(cls.pkidir, "clients")
        cls.BROKER_OPTS = {"A": {"ssl": {"keystore": keystore(cls.pki, cls.pkidir),
                                         "truststore": truststore(cls.client_pki["ca"],
                                                                  cls.pkidir),
                                         "password": PASSWORD}}}
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        if not cls.failed and not os.environ.get("BN_KEEP"):
            subprocess.run(("rm", "-rf", cls.pkidir), check=False)

    def tls_uri(self):
        return "ssl://127.0.0.1:%d" % self.brokers["A"].ssl_port

    def test_forwarding_over_tls_to_the_broker(self):
        self.forward_over(self.tls_uri(), ssl_xml(ca=self.pki["ca"]), 200)

    def forward_over(self, uri, ssl, n):
        """A (broker session uri, <sslContext> ssl) -> B: n messages arrive
        once, all acked on A's broker."""
        b = self.sidecar("B", [])
        a = self.sidecar("A", [connector_xml("to-B", [b.link_port])],
                         broker_uri=uri, extra_children=ssl)
        a.wait_link("B")
        # the link comes up once the store session holds the lock; the
        # consumer session's own TLS handshake may still be under way
        wait_for(lambda: a.status()["broker"]["state"] == "connected", 10,
                 what="A's consumer session over TLS")
        self.assertIn("connected to %s" % uri, a.log_text())
        q = self.queue("brokertls")
        cons = self.consumer("B", q)
        a.wait_subscription(q)
        self.produce("A", q, n)
        self.assertEqual(sorted(self.ns(self.collect(cons, n))), list(range(n)))
        wait_for(lambda: a.status()["counters"]["forward_acked"] == n, 10,
                 what="A's %d acked on its broker over TLS" % n)
        self.assertEqual(self.drain("A", q), [], "A's queue must end empty")

    def test_stomp_over_tls_to_the_broker(self):
        """stomp+ssl://: the STOMP session over TLS forwards too."""
        b = self.sidecar("B", [])
        uri = "stomp+ssl://127.0.0.1:%d" % self.brokers["A"].stomp_ssl_port
        a = self.sidecar("A", [connector_xml("to-B", [b.link_port])], broker_uri=uri,
                         extra_children=ssl_xml(ca=self.pki["ca"]))
        a.wait_link("B")
        self.assertIn("connected to %s" % uri, a.log_text())
        q = self.queue("stomptls")
        cons = self.consumer("B", q)
        a.wait_subscription(q)
        self.produce("A", q, 100)
        self.assertEqual(sorted(self.ns(self.collect(cons, 100))), list(range(100)))

    def test_untrusted_broker_certificate_refused(self):
        a = self.sidecar("A", [], broker_uri=self.tls_uri(),
                         extra_children=ssl_xml(ca=self.evil["ca"]), start=False)
        a.start(wait=False)
        wait_for(lambda: "certificate verify failed" in a.log_text(), 20,
                 what="the verification failure in A's log")
        self.assertNotEqual(a.status()["broker"]["state"], "connected")

    def test_ssl_broker_without_trusted_certificates_refused_at_start(self):
        a = self.sidecar("A", [], broker_uri=self.tls_uri(), start=False)
        a.start(wait=False)
        wait_for(lambda: not a.running(), 10, what="A to refuse to start")
        self.assertNotEqual(a.proc.returncode, 0)
        a.killed = True     # an expected non-zero exit, not a crash
        self.assertRegex(a.log_text(), r"brokernet\.xml:\d+: ssl:// on <broker> needs "
                         r"<sslContext trustedCertificates=\.\.\.>")

    def test_client_certificate_to_a_broker_that_needs_one(self):
        """needClientAuth: with a certificate the broker trusts, the session
        comes up and forwards; without one, it never does."""
        uri = "ssl://127.0.0.1:%d" % self.brokers["A"].ssl_auth_port
        bare = self.sidecar("A", [], broker_uri=uri,
                            extra_children=ssl_xml(ca=self.pki["ca"]), start=False)
        bare.start(wait=False)
        wait_for(lambda: "broker-store: " in bare.log_text() and
                 ("lost" in bare.log_text() or "cannot connect" in bare.log_text()),
                 20, what="the refused session in A's log")
        self.assertNotEqual(bare.status()["broker"]["state"], "connected")
        self.assertNotIn("connected to %s" % uri, bare.log_text())
        self.assertIn("TLS: ", bare.log_text(), "the log gives TLS's reason")
        bare.stop()
        self.forward_over(uri, ssl_xml(pki=self.client_pki, ca=self.pki["ca"]), 100)


if __name__ == "__main__":
    unittest.main()
