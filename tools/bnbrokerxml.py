"""bnbrokerxml: what a test broker is made of (tools/bnharness.py): the jars
and JVM options, its activemq.xml and log4j text, the java command line, a
native <networkConnector> for ActiveMQ's own bridge, the JDBC store.  Pure
text; bnharness re-exports every name.

Environment: BN_JAVA (java binary), BN_JVM_OPTS, BN_ACTIVEMQ_HOME,
BN_JAVA_OPTS, BN_JAVA_LIBDIR (see bnharness).
"""

import os
import shutil
from xml.sax.saxutils import escape as _xml_escape, quoteattr as _xml_attr

ACTIVEMQ_HOME = os.environ.get("BN_ACTIVEMQ_HOME", "/usr/share/activemq")
JAVA_LIBDIR = os.environ.get("BN_JAVA_LIBDIR", "/usr/share/java")
OPTIONAL_JARS = ("xstream.jar", "jettison.jar", "xpp3.jar")
# The broker setting consumer-paced forwarding needs (README).
STATISTICS_XML = "<plugins><statisticsBrokerPlugin/></plugins>"
# jdbcPersistenceAdapter on PostgreSQL through a dbcp2 pool (commons-logging
# comes with the broker as jcl-over-slf4j)
JDBC_JARS = ("postgresql.jar", "commons-dbcp2.jar", "commons-pool2.jar")

# JVM options.  The heap bounds follow shared/NOTES.md; SerialGC and a small
# metaspace/code cache keep an idle broker's RSS low on a 2-core machine.
JVM_OPTS = os.environ.get("BN_JVM_OPTS", "").split() or [
    "-Xms64m", "-Xmx512m",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-Xss512k",
    "-Djava.awt.headless=true",
]

# Java 17 strong encapsulation: what XStream (advisory -> JSON) and ActiveMQ
# need opened.  Mirrors upstream 5.17's bin/env; harmless when unused.
ADD_OPENS = [
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-opens=java.base/java.text=ALL-UNNAMED",
    "--add-opens=java.base/java.net=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.security=ALL-UNNAMED",
]


# ---------------------------------------------------------------- config text

def native_network_connector_xml(name, uris, duplex=False, ttl=1, prefetch=1000,
                                 decrease_priority=True, uri_options=None, **attrs):
    """One <networkConnector/> element (ActiveMQ's native bridge).

    uris: a Broker, an int (OpenWire port on 127.0.0.1), a "tcp://..." string,
    or a list of those.  uri_options: dict or "k=v&..." appended to static:(...).
    Extra keyword attributes are written as XML attributes (e.g.
    conduitSubscriptions="true", dynamicOnly="false")."""
    if isinstance(uris, (int, str)) or hasattr(uris, "openwire_uri"):
        uris = [uris]
    parts = []
    for u in uris:
        if hasattr(u, "openwire_uri"):      # a bnharness.Broker
            parts.append(u.openwire_uri)
        elif isinstance(u, int):
            parts.append("tcp://127.0.0.1:%d" % u)
        else:
            parts.append(str(u))
    uri = "static:(%s)" % ",".join(parts)
    if uri_options:
        if isinstance(uri_options, dict):
            uri_options = "&".join("%s=%s" % kv for kv in uri_options.items())
        uri += "?" + uri_options
    a = {
        "name": name,
        "uri": uri,
        "duplex": "true" if duplex else "false",
        "networkTTL": str(ttl),
        "prefetchSize": str(prefetch),
        "decreaseNetworkConsumerPriority": "true" if decrease_priority else "false",
    }
    for k, v in attrs.items():
        a[k] = ("true" if v else "false") if isinstance(v, bool) else str(v)
    return "<networkConnector %s/>" % " ".join("%s=%s" % (k, _xml_attr(v)) for k, v in a.items())


def native_network_xml(name, uris, duplex=False, ttl=1, prefetch=1000,
                       decrease_priority=True, **kw):
    """A <networkConnectors> block with one connector, for Broker(extra_xml=...)."""
    return ("<networkConnectors>\n      %s\n    </networkConnectors>"
            % native_network_connector_xml(name, uris, duplex=duplex, ttl=ttl,
                                           prefetch=prefetch,
                                           decrease_priority=decrease_priority, **kw))


_ACTIVEMQ_XML = """<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by tools/bnharness.py -->
<beans xmlns="http://www.springframework.org/schema/beans"
       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
       xsi:schemaLocation="http://www.springframework.org/schema/beans http://www.springframework.org/schema/beans/spring-beans.xsd
       http://activemq.apache.org/schema/core http://activemq.apache.org/schema/core/activemq-core.xsd">
  {beans}
  <broker xmlns="http://activemq.apache.org/schema/core"
          brokerName={name}
          dataDirectory={datadir}
          persistent="true"
          useJmx="false"
          schedulerSupport="false"
          advisorySupport={advisory}
          useShutdownHook="true">
    <persistenceAdapter>
      {persistence}
    </persistenceAdapter>
    <systemUsage>
      <systemUsage>
        <storeUsage><storeUsage limit="4 gb"/></storeUsage>
        <tempUsage><tempUsage limit="1 gb"/></tempUsage>
      </systemUsage>
    </systemUsage>
    <transportConnectors>
      <transportConnector name="stomp" uri={stomp_uri}/>
      <transportConnector name="openwire" uri={openwire_uri}/>{ssl_connector}
    </transportConnectors>{ssl_context}
    {extra}
  </broker>
</beans>
"""

_LOG4J = """# log4j 1.2 configuration written by tools/bnharness.py
log4j.rootLogger=INFO, logfile
log4j.logger.org.apache.activemq.spring=WARN
log4j.logger.org.apache.activemq.web.handler=WARN
log4j.logger.org.springframework=WARN
log4j.logger.org.apache.xbean=WARN
log4j.appender.logfile=org.apache.log4j.FileAppender
log4j.appender.logfile.File={logfile}
log4j.appender.logfile.Append=true
log4j.appender.logfile.layout=org.apache.log4j.PatternLayout
log4j.appender.logfile.layout.ConversionPattern=%d{{ISO8601}} | %-5p | %m | %c | %t%n
"""


def java_command(basedir, conf_xml=None, log4j=None):
    """The argv used to run a broker for basedir (for reports and reproducing)."""
    basedir = os.path.abspath(basedir)
    conf_xml = conf_xml or os.path.join(basedir, "conf", "activemq.xml")
    log4j = log4j or os.path.join(basedir, "conf", "log4j.properties")
    java = os.environ.get("BN_JAVA") or shutil.which("java") or "/usr/lib/jvm/default-java/bin/java"
    argv = [java] + JVM_OPTS + ADD_OPENS + os.environ.get("BN_JAVA_OPTS", "").split()
    argv += [
        "-Dactivemq.home=" + ACTIVEMQ_HOME,
        "-Dactivemq.base=" + basedir,
        "-Dactivemq.conf=" + os.path.join(basedir, "conf"),
        "-Dactivemq.data=" + os.path.join(basedir, "data"),
        "-Djava.io.tmpdir=" + os.path.join(basedir, "tmp"),
        "-Dlog4j.configuration=file:" + log4j,
        "-jar", os.path.join(ACTIVEMQ_HOME, "bin", "activemq.jar"),
        "start", "xbean:file:" + conf_xml,
    ]
    return argv


def _jdbc_xml(j, datadir):
    """(persistenceAdapter child, beans) for a JDBC store with a lease locker.
    The lease is lockAcquireSleepInterval long and renewed every
    lockKeepAlivePeriod (ActiveMQ warns when the renewal is not shorter)."""
    bean = """<bean id="bn-ds" class="org.apache.commons.dbcp2.BasicDataSource" destroy-method="close">
    <property name="driverClassName" value="org.postgresql.Driver"/>
    <property name="url" value=%s/>
    <property name="username" value=%s/>
    <property name="password" value=%s/>
    <property name="maxTotal" value="8"/>
    <property name="defaultQueryTimeout" value="5"/>
  </bean>""" % (_xml_attr(j["url"]), _xml_attr(j["user"]), _xml_attr(j["password"]))
    adapter = ("<jdbcPersistenceAdapter dataDirectory=%s dataSource=\"#bn-ds\""
               " lockKeepAlivePeriod=\"%d\" createTablesOnStartup=\"true\">"
               "<locker><lease-database-locker lockAcquireSleepInterval=\"%d\""
               " leaseHolderId=%s/></locker></jdbcPersistenceAdapter>"
               % (_xml_attr(datadir), j.get("keep_alive_ms", 500), j.get("acquire_ms", 1000),
                  _xml_attr(j["lease_holder"])))
    return adapter, bean

