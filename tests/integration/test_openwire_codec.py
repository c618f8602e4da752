#!/usr/bin/env python3
"""The OpenWire codec (bridge/openwire.c, owenc.c, owmap.c) against a real
ActiveMQ 5.17.2 broker, through tools/owprobe.c and a JMS program on
ActiveMQ's own client (tests/integration/jms/JmsCheck.java):

- owprobe's selftest: handshake, one message of each JMS class with typed
  properties sent in a local transaction, consumed back and acked;
- JMS fidelity: the Java program produces every message class, persistent
  and not, with every property type and JMS header; owprobe consumes them
  and re-sends them to another queue (class, body, properties and
  JMSMessageID untouched, one brokernet_via property added); the Java
  program consumes that queue and compares: 0 differences;
- advisories: owprobe watches ActiveMQ.Advisory.Consumer.Queue.X while
  another owprobe consumes from X, and decodes the ConsumerInfo and
  RemoveInfo nested in the advisory messages;
- the negative control: owprobe -s turns typed properties into strings
  (what a STOMP hop does) and the same comparison must count each one.

    cd tests/integration && python3 -m unittest -v test_openwire_codec

Every process is stopped by PID (subprocess timeouts kill by PID; the
broker by the harness), also on failure.
"""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

import netbase  # noqa: F401  (puts tools/ on sys.path)
import bnharness

ROOT = netbase.ROOT
OUT = netbase.OUT
OWPROBE = os.path.join(ROOT, "bin", "owprobe")
JMS_SRC = os.path.join(ROOT, "tests", "integration", "jms", "JmsCheck.java")
JARS = ["activemq-client.jar", "geronimo-jms_1.1_spec.jar",
        "geronimo-j2ee-management-1.1-spec.jar", "hawtbuf.jar",
        "slf4j-api.jar", "slf4j-nop.jar"]
CLASSPATH = ":".join(os.path.join(bnharness.JAVA_LIBDIR, j) for j in JARS)
JAVAC = shutil.which("javac")
JAVA = shutil.which("java")
COUNT = 12          # 6 classes x persistent and not
TYPED_PROPS = 8     # index, pInt, pLong, pBool, pDouble, pFloat, pShort, pByte


@unittest.skipUnless(JAVAC and JAVA, "javac/java missing (apt-get install default-jdk-headless)")
@unittest.skipUnless(os.access(OWPROBE, os.X_OK), "bin/owprobe not built (make all)")
class OpenWireCodec(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        os.makedirs(OUT, exist_ok=True)
        cls.dir = tempfile.mkdtemp(prefix="openwire-codec-", dir=OUT)
        cls.classes = os.path.join(cls.dir, "classes")
        os.makedirs(cls.classes)
        # javac while the broker starts: both take seconds.
        javac = subprocess.Popen([JAVAC, "-nowarn", "-cp", CLASSPATH, "-d", cls.classes, JMS_SRC],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        cls.broker = bnharness.Broker("ow", os.path.join(cls.dir, "broker"))
        try:
            cls.broker.start()
            out, _ = javac.communicate(timeout=60)
        except Exception:
            javac.kill()
            javac.wait()
            bnharness.stop_all([cls.broker])
            raise
        if javac.returncode != 0:
            bnharness.stop_all([cls.broker])
            raise RuntimeError("javac failed:\n" + out)
        cls.port = str(cls.broker.openwire_port)
        cls.url = "tcp://127.0.0.1:%s" % cls.port
        cls.failed = False

    @classmethod
    def tearDownClass(cls):
        bnharness.stop_all([cls.broker])
        if not cls.failed:
            shutil.rmtree(cls.dir, ignore_errors=True)

    def run(self, result=None):
        result = super().run(result)
        if result is not None and not result.wasSuccessful():
            type(self).failed = True
        return result

    def probe(self, *args):
        p = subprocess.run([OWPROBE, "-p", self.port] + list(args), capture_output=True,
                           text=True, errors="replace", timeout=30)
        self.assertEqual(p.returncode, 0, "owprobe %s: %s\n%s" % (args, p.stderr, p.stdout))
        return p.stdout

    def jms(self, *args):
        p = subprocess.run([JAVA, "-cp", self.classes + ":" + CLASSPATH, "JmsCheck"] + list(args),
                           capture_output=True, text=True, errors="replace", timeout=30)
        return p.returncode, p.stdout + p.stderr

    def produce(self, queue):
        sent = os.path.join(self.dir, queue + ".sent")
        rc, out = self.jms("produce", self.url, queue, sent)
        self.assertEqual(rc, 0, out)
        self.assertIn("produced %d" % COUNT, out)
        return sent

    def test_selftest(self):
        """owprobe alone: one message of each class, typed properties, in a
        local transaction; consumed back and acked."""
        out = self.probe("selftest", "owcodec.self")
        self.assertIn("wireformat version 12", out)
        self.assertIn("sent 6 messages in transaction 1", out)
        self.assertIn("received and acked 6 messages", out)
        kinds = re.findall(r"^(ActiveMQ\w*Message) ", out, re.M)
        self.assertEqual(sorted(kinds), sorted(
            ["ActiveMQMessage", "ActiveMQTextMessage", "ActiveMQBytesMessage",
             "ActiveMQMapMessage", "ActiveMQObjectMessage", "ActiveMQStreamMessage"]))
        for line in out.splitlines():
            if line.startswith("ActiveMQ"):
                for prop in ("prop.pInt=int:7", "prop.pLong=long:-1234567890123",
                             "prop.pBool=boolean:true", "prop.pByte=byte:-5",
                             "prop.pShort=short:300", "prop.pDouble=double:2.5",
                             "prop.pFloat=float:1.25", "prop.pString=string:s"):
                    self.assertIn(prop, line)
        self.assertIn("text=hello from owprobe", out)
        self.assertIn("body.k=string:v body.n=long:42", out)
        # Acked: a second run receives its own 6 messages, none of the first.
        out2 = self.probe("selftest", "owcodec.self")
        self.assertIn("received and acked 6 messages", out2)
        first = set(re.findall(r" id=(\S+):\d+ ", out))
        second = set(re.findall(r" id=(\S+):\d+ ", out2))
        self.assertEqual(len(first), 1, out)
        self.assertEqual(len(second), 1, out2)
        self.assertNotEqual(first, second)

    def test_jms_fidelity(self):
        """JMS -> owprobe (decode, re-encode to another queue) -> JMS: 0
        differences in class, body, typed properties, JMSMessageID, headers."""
        sent = self.produce("owcodec.src")
        out = self.probe("-a", "relay", "owcodec.src", "owcodec.dst", str(COUNT))
        self.assertIn("relayed %d messages" % COUNT, out)
        rc, out = self.jms("check", self.url, "owcodec.dst", sent, "brokernet_via")
        netbase.metric("openwire codec JMS round trip: %s"
                       % re.search(r"differences \d+", out).group(0))
        self.assertEqual(rc, 0, out)
        self.assertIn("received %d" % COUNT, out)
        self.assertIn("differences 0", out)
        checked = re.findall(r"^checked (\w+) ID:\S+ persistent=(\w+) props=(\d+)", out, re.M)
        self.assertEqual(len(checked), COUNT, out)
        self.assertEqual(sorted(set((c, p) for c, p, _ in checked)),
                         sorted((c, p) for c in ("Message", "Text", "Bytes", "Map", "Object", "Stream")
                                for p in ("true", "false")))
        self.assertTrue(all(int(n) >= 9 for _, _, n in checked), out)

    def test_advisories_native(self):
        """A consumer's advisories carry ConsumerInfo and RemoveInfo as
        OpenWire commands (no XStream/Jettison on the way)."""
        watch = subprocess.Popen([OWPROBE, "-p", self.port, "watch",
                                  "ActiveMQ.Advisory.Consumer.Queue.owcodec.adv", "2"],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 text=True, errors="replace")
        self.addCleanup(bnharness.stop_popen, watch)
        lines = []
        for line in watch.stdout:
            lines.append(line)
            if line.startswith("subscribed"):
                break
        self.assertTrue(lines and lines[-1].startswith("subscribed"), "".join(lines))
        out = self.probe("selftest", "owcodec.adv")
        consumer = re.search(r"^ActiveMQ\w+ id=(ID:owprobe-[^:]+):", out, re.M).group(1)
        rest, _ = watch.communicate(timeout=20)
        self.assertEqual(watch.returncode, 0, rest)
        added, removed = rest.splitlines()[-2:]
        self.assertIn("dataStructure=ConsumerInfo consumer=" + consumer, added)
        self.assertIn("destination=owcodec.adv prefetch=100", added)
        self.assertIn("prop.consumerCount=int:1", added)
        self.assertIn("dataStructure=RemoveInfo removed=ConsumerId " + consumer, removed)
        self.assertIn("prop.consumerCount=int:0", removed)

    def test_checker_counts_stringified_properties(self):
        """The negative control: with every typed property turned into a
        string on the way, the same check finds each one."""
        sent = self.produce("owcodec.src2")
        self.probe("-s", "relay", "owcodec.src2", "owcodec.dst2", str(COUNT))
        rc, out = self.jms("check", self.url, "owcodec.dst2", sent)
        self.assertEqual(rc, 1, out)
        self.assertIn("differences %d" % (COUNT * TYPED_PROPS), out)
        diffs = re.findall(r"^DIFF \S+ prop\.(\w+): sent \[(\w+):[^]]*\] received \[String:", out, re.M)
        self.assertEqual(len(diffs), COUNT * TYPED_PROPS, out)
        self.assertEqual(sorted(set(t for _, t in diffs)),
                         ["Boolean", "Byte", "Double", "Float", "Integer", "Long", "Short"])


if __name__ == "__main__":
    unittest.main()
