#!/bin/sh
# Installs every Debian package the build, the demo and the tests need.
# A no-op when all are present; needs root (apt-get) otherwise.
# dpkg-dev, debhelper, fakeroot and lintian are for `make deb` and the
# package test that make check runs (tests/integration/test_package.py).
set -eu

PKGS="build-essential pkg-config clang libclang-rt-14-dev
libevent-dev libxml2-dev libavahi-client-dev libcmocka-dev libssl-dev
libzstd-dev zstd libjansson-dev
activemq libxstream-java libjettison-java default-jre-headless default-jdk-headless
avahi-daemon avahi-utils dbus-daemon python3 iproute2 procps openssl
chromium man-db groff-base
postgresql libpostgresql-jdbc-java libcommons-dbcp2-java
dpkg-dev debhelper fakeroot lintian"

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
if [ "$(id -u)" != 0 ]; then
	echo "deps: not root; run as root or install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# activemq's postinst tries to start a service; no service manager here is fine.
apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps: done"
