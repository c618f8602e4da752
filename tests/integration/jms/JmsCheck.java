/*
 * JMS fidelity check for the OpenWire codec (tests/integration/
 * test_openwire_codec.py), on ActiveMQ's own JMS client.
 *
 *   java JmsCheck produce URL QUEUE FILE
 *	sends one message of every JMS class, persistent and not, with
 *	every property type and JMS header set, to QUEUE; writes each sent
 *	message's description (JMSMessageID first) to FILE.
 *   java JmsCheck check URL QUEUE FILE [brokernet_via | by-index [brokernet_via]]
 *	receives as many messages from QUEUE and compares each with the
 *	description of the message with the same JMSMessageID (by-index: the
 *	same "index" property): class, body, every property with its Java
 *	type, every JMS header except JMSDestination. Properties named
 *	brokernet_* are left out of the comparison; with brokernet_via, each
 *	message must carry that property (its value is printed). Prints every
 *	difference, the count per field and "differences N".
 */
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.*;
import javax.jms.*;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.command.ActiveMQMessage;

public class JmsCheck {
    static final String[] CLASSES = {"Message", "Text", "Bytes", "Map", "Object", "Stream"};

    static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) s.append(String.format("%02x", x));
        return s.toString();
    }

    static String typed(Object o) {
        if (o == null) return "null";
        if (o instanceof byte[]) return "byte[]:" + hex((byte[]) o);
        return o.getClass().getSimpleName() + ":" + o;
    }

    static String esc(String s) {
        return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t");
    }

    /* field -> value, in a fixed order. */
    static LinkedHashMap<String, String> describe(Message m) throws Exception {
        LinkedHashMap<String, String> d = new LinkedHashMap<>();
        d.put("JMSMessageID", m.getJMSMessageID());
        String cls = m instanceof TextMessage ? "Text" : m instanceof BytesMessage ? "Bytes"
            : m instanceof MapMessage ? "Map" : m instanceof ObjectMessage ? "Object"
            : m instanceof StreamMessage ? "Stream" : "Message";
        d.put("class", cls);
        d.put("JMSCorrelationID", String.valueOf(m.getJMSCorrelationID()));
        d.put("JMSType", String.valueOf(m.getJMSType()));
        d.put("JMSReplyTo", String.valueOf(m.getJMSReplyTo()));
        d.put("JMSDeliveryMode", String.valueOf(m.getJMSDeliveryMode()));
        d.put("JMSPriority", String.valueOf(m.getJMSPriority()));
        d.put("JMSExpiration", String.valueOf(m.getJMSExpiration()));
        d.put("JMSTimestamp", String.valueOf(m.getJMSTimestamp()));
        d.put("JMSRedelivered", String.valueOf(m.getJMSRedelivered()));
        TreeSet<String> names = new TreeSet<>();
        for (Enumeration<?> e = m.getPropertyNames(); e.hasMoreElements();) {
            String n = (String) e.nextElement();
            if (!n.startsWith("brokernet_") && !n.startsWith("JMSX")) names.add(n);
        }
        for (String n : names) d.put("prop." + n, esc(typed(m.getObjectProperty(n))));
        StringBuilder body = new StringBuilder();
        if (m instanceof TextMessage) {
            body.append(esc(String.valueOf(((TextMessage) m).getText())));
        } else if (m instanceof BytesMessage) {
            BytesMessage b = (BytesMessage) m;
            b.reset();
            byte[] buf = new byte[(int) b.getBodyLength()];
            b.readBytes(buf);
            body.append(hex(buf));
        } else if (m instanceof MapMessage) {
            MapMessage mm = (MapMessage) m;
            TreeSet<String> keys = new TreeSet<>();
            for (Enumeration<?> e = mm.getMapNames(); e.hasMoreElements();) keys.add((String) e.nextElement());
            for (String k : keys) body.append(k).append('=').append(esc(typed(mm.getObject(k)))).append(';');
        } else if (m instanceof ObjectMessage) {
            body.append(esc(typed(((ObjectMessage) m).getObject())));
        } else if (m instanceof StreamMessage) {
            StreamMessage s = (StreamMessage) m;
            s.reset();
            try {
                for (;;) body.append(esc(typed(s.readObject()))).append(';');
            } catch (MessageEOFException eof) {
                // end of the stream
            }
        }
        d.put("body", body.toString());
        return d;
    }

    static Message build(Session s, int i, String cls) throws Exception {
        Message m;
        switch (cls) {
        case "Text":
            m = s.createTextMessage("text " + i + " caf\u00e9 \u4e2d \ud83d\ude00");
            break;
        case "Bytes": {
            BytesMessage b = s.createBytesMessage();
            b.writeBytes(new byte[] {0, 1, 2, (byte) 0xff, (byte) i});
            b.writeUTF("bytes " + i);
            m = b;
            break;
        }
        case "Map": {
            MapMessage mm = s.createMapMessage();
            mm.setString("s", "map " + i);
            mm.setInt("i", i);
            mm.setLong("l", 1L << 40);
            mm.setBoolean("z", true);
            mm.setDouble("d", 3.25);
            mm.setFloat("f", 0.5f);
            mm.setShort("h", (short) -2);
            mm.setByte("b", (byte) 9);
            mm.setChar("c", 'x');
            mm.setBytes("y", new byte[] {1, 2, 3});
            m = mm;
            break;
        }
        case "Object": {
            ArrayList<Object> o = new ArrayList<>();
            o.add("object " + i);
            o.add(i);
            m = s.createObjectMessage(o);
            break;
        }
        case "Stream": {
            StreamMessage sm = s.createStreamMessage();
            sm.writeString("stream " + i);
            sm.writeInt(i);
            sm.writeLong(-7L);
            sm.writeBoolean(false);
            sm.writeDouble(1e100);
            sm.writeFloat(-0.25f);
            sm.writeShort((short) 512);
            sm.writeByte((byte) -1);
            sm.writeChar('q');
            sm.writeBytes(new byte[] {7, 8});
            m = sm;
            break;
        }
        default:
            m = s.createMessage();
        }
        m.setStringProperty("pString", "str " + i);
        m.setIntProperty("pInt", 100 + i);
        m.setLongProperty("pLong", 10000000000L + i);
        m.setBooleanProperty("pBool", i % 2 == 0);
        m.setDoubleProperty("pDouble", 1.5 + i);
        m.setFloatProperty("pFloat", 2.5f + i);
        m.setShortProperty("pShort", (short) (30 + i));
        m.setByteProperty("pByte", (byte) (-i));
        m.setIntProperty("index", i);
        if (i == 3) {
            StringBuilder big = new StringBuilder();
            while (big.length() < 10000) big.append("big-");
            m.setStringProperty("pBigString", big.toString());
        }
        m.setJMSCorrelationID("corr-" + i);
        m.setJMSType("type-" + i);
        if (i % 3 == 0) m.setJMSReplyTo(s.createQueue("owcheck.reply"));
        return m;
    }

    static String line(LinkedHashMap<String, String> d) {
        StringBuilder s = new StringBuilder();
        for (Map.Entry<String, String> e : d.entrySet()) {
            if (s.length() > 0) s.append('\t');
            s.append(e.getKey()).append('=').append(e.getValue());
        }
        return s.toString();
    }

    static LinkedHashMap<String, String> parse(String l) {
        LinkedHashMap<String, String> d = new LinkedHashMap<>();
        for (String f : l.split("\t")) {
            int eq = f.indexOf('=');
            d.put(f.substring(0, eq), f.substring(eq + 1));
        }
        return d;
    }

    public static void main(String[] a) throws Exception {
        ActiveMQConnectionFactory cf = new ActiveMQConnectionFactory(a[1]);
        cf.setTrustAllPackages(true);
        Connection c = cf.createConnection();
        c.start();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        javax.jms.Queue q = s.createQueue(a[2]);
        int rc = 0;
        if (a[0].equals("produce")) {
            MessageProducer p = s.createProducer(q);
            try (PrintWriter w = new PrintWriter(new OutputStreamWriter(
                    new FileOutputStream(a[3]), StandardCharsets.UTF_8))) {
                int i = 0;
                for (String cls : CLASSES) {
                    for (int persistent = 0; persistent < 2; persistent++, i++) {
                        Message m = build(s, i, cls);
                        int mode = persistent == 1 ? DeliveryMode.PERSISTENT : DeliveryMode.NON_PERSISTENT;
                        long ttl = i % 2 == 1 ? 600000L : 0L;
                        p.send(m, mode, i % 10, ttl);
                        w.println(line(describe(m)));
                    }
                }
                System.out.println("produced " + i);
            }
        } else if (a[0].equals("request")) {
            int count = Integer.parseInt(a[3]);
            javax.jms.Queue replyTo = s.createQueue(a[4]);
            MessageConsumer mc = s.createConsumer(replyTo);
            MessageProducer p = s.createProducer(q);
            HashSet<String> asked = new HashSet<>();
            for (int i = 0; i < count; i++) {
                TextMessage m = s.createTextMessage("request " + i);
                m.setJMSReplyTo(replyTo);
                p.send(m);
                asked.add(m.getJMSMessageID());
            }
            int matched = 0;
            for (int i = 0; i < count; i++) {
                Message r = mc.receive(20000);
                if (r == null) break;
                if (asked.remove(r.getJMSCorrelationID())) matched++;
                else System.out.println("UNMATCHED reply correlation " + r.getJMSCorrelationID());
            }
            System.out.println("matched " + matched + " of " + count);
            rc = matched == count ? 0 : 1;
        } else if (a[0].equals("reply")) {
            int count = Integer.parseInt(a[3]);
            MessageConsumer mc = s.createConsumer(q);
            MessageProducer p = s.createProducer(null);
            int answered = 0;
            for (int i = 0; i < count; i++) {
                Message m = mc.receive(30000);
                if (m == null) break;
                TextMessage r = s.createTextMessage("reply to " + ((TextMessage) m).getText());
                r.setJMSCorrelationID(m.getJMSMessageID());
                p.send(m.getJMSReplyTo(), r);
                answered++;
            }
            System.out.println("answered " + answered);
            rc = answered == count ? 0 : 1;
        } else {
            ArrayList<String> lines = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(
                    new FileInputStream(a[3]), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null;) lines.add(l);
            }
            String must = a.length > 4 ? a[4] : null;
            boolean byIndex = "by-index".equals(must);
            if (byIndex) must = a.length > 5 ? a[5] : null;
            HashMap<String, LinkedHashMap<String, String>> want = new HashMap<>();
            for (String l : lines) {
                LinkedHashMap<String, String> d = parse(l);
                want.put(byIndex ? d.get("prop.index").replaceAll("^\\w+:", "") : d.get("JMSMessageID"), d);
            }
            TreeMap<String, Integer> fields = new TreeMap<>();
            MessageConsumer mc = s.createConsumer(q);
            int diffs = 0, got = 0;
            for (int n = 0; n < lines.size(); n++) {
                Message m = mc.receive(10000);
                if (m == null) {
                    System.out.println("DIFF missing: received " + got + " of " + lines.size());
                    diffs++;
                    break;
                }
                got++;
                LinkedHashMap<String, String> have = describe(m);
                LinkedHashMap<String, String> exp = want.remove(byIndex
                    ? String.valueOf(m.getObjectProperty("index")) : m.getJMSMessageID());
                if (exp == null) {
                    System.out.println("DIFF unknown JMSMessageID " + m.getJMSMessageID());
                    diffs++;
                    continue;
                }
                TreeSet<String> keys = new TreeSet<>(exp.keySet());
                keys.addAll(have.keySet());
                for (String k : keys) {
                    String e = exp.get(k), h = have.get(k);
                    if (!Objects.equals(e, h)) {
                        fields.merge(k, 1, Integer::sum);
                        System.out.println("DIFF " + m.getJMSMessageID() + " " + k + ": sent [" + e
                                           + "] received [" + h + "]");
                        diffs++;
                    }
                }
                if (must != null && m.getObjectProperty(must) == null) {
                    System.out.println("DIFF " + m.getJMSMessageID() + " has no " + must);
                    diffs++;
                } else if (must != null) {
                    System.out.println("property " + must + " " + esc(typed(m.getObjectProperty(must))));
                }
                System.out.println("checked " + have.get("class") + " " + m.getJMSMessageID()
                                   + " persistent=" + (m.getJMSDeliveryMode() == DeliveryMode.PERSISTENT)
                                   + " props=" + (have.size() - 11));
            }
            for (Map.Entry<String, Integer> e : fields.entrySet())
                System.out.println("field " + e.getKey() + " " + e.getValue());
            System.out.println("received " + got);
            System.out.println("differences " + diffs);
            rc = diffs == 0 ? 0 : 1;
        }
        c.close();
        System.exit(rc);
    }
}
