#!/bin/sh
# Builds the test PKI for the authority tests with the openssl CLI:
#   mkpki.sh DIR CRL_PORT OCSP_PORT
# DIR/swanctl is a swanctl directory (x509ca, x509, private, x509crl);
# DIR/www holds the CRLs busybox httpd serves; DIR/peer holds peer-side
# certificates and keys the authority must not load; DIR/<ca>/index.txt
# is the database for `openssl ocsp`.
set -eu
DIR=$1
CRL_PORT=$2
OCSP_PORT=$3
O="/C=CH/O=Cygnet Test"
mkdir -p "$DIR"
cd "$DIR"
mkdir -p swanctl/x509ca swanctl/x509 swanctl/private swanctl/x509crl www peer
umask 077

cat > openssl.cnf <<CNF
[ req ]
distinguished_name = dn
[ dn ]
[ ca ]
default_ca = ca_default
[ ca_default ]
dir = \$ENV::CADIR
database = \$dir/index.txt
new_certs_dir = \$dir/new
serial = \$dir/serial
crlnumber = \$dir/crlnumber
default_md = sha256
policy = policy_any
default_days = 365
default_crl_days = 7
unique_subject = no
[ policy_any ]
countryName = optional
organizationName = optional
commonName = supplied
[ ext_root ]
basicConstraints = critical, CA:true, pathlen:1
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ ext_inter ]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:http://127.0.0.1:$CRL_PORT/root.crl
[ ext_server ]
basicConstraints = CA:false
keyUsage = digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:\$ENV::SAN
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:http://127.0.0.1:$CRL_PORT/root.crl
[ ext_client ]
basicConstraints = CA:false
keyUsage = digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = email:\$ENV::SAN
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:http://127.0.0.1:$CRL_PORT/inter.crl
authorityInfoAccess = OCSP;URI:http://127.0.0.1:$OCSP_PORT
[ ext_plain ]
basicConstraints = CA:false
subjectAltName = DNS:\$ENV::SAN
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ ext_subca ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ ext_ocsp ]
basicConstraints = CA:false
keyUsage = digitalSignature
extendedKeyUsage = OCSPSigning
[ ext_crl ]
authorityKeyIdentifier = keyid
CNF
export OPENSSL_CONF="$DIR/openssl.cnf" CADIR=root SAN=x

newca() {	# name
	mkdir -p "$1/new"
	: > "$1/index.txt"
	echo 1000 > "$1/serial"
	echo 01 > "$1/crlnumber"
}

key() {		# file type
	case $2 in
	rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null ;;
	p256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" ;;
	p384) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$1" ;;
	p521) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out "$1" ;;
	ed25519) openssl genpkey -algorithm ED25519 -out "$1" ;;
	esac
}

# issue CA NAME CN EXT SAN KEYTYPE KEYFILE CERTFILE [ca options...]
issue() {
	ca=$1 cn=$2 ext=$3 san=$4 type=$5 keyfile=$6 certfile=$7
	shift 7
	key "$keyfile" "$type"
	openssl req -new -key "$keyfile" -subj "$O/CN=$cn" -out "$ca/req.pem"
	CADIR=$ca SAN=$san openssl ca -batch -notext -name ca_default \
		-cert "$ca/ca.crt" -keyfile "$ca/ca.key" -extensions "$ext" \
		-in "$ca/req.pem" -out "$certfile" "$@" 2>/dev/null
}

# root CA, self-signed
newca root
key root/ca.key p256
openssl req -x509 -new -key root/ca.key -subj "$O/CN=Cygnet Root CA" \
	-days 3650 -extensions ext_root -out root/ca.crt
cp root/ca.crt swanctl/x509ca/rootCert.pem

# intermediate CA, signed by the root
newca inter
issue root "Cygnet Intermediate CA" ext_inter x p256 inter/ca.key inter/ca.crt
openssl x509 -in inter/ca.crt -outform DER -out swanctl/x509ca/interCert.der

# our certificates, one per key type, keys in private/
issue root vpn.example.org ext_server vpn.example.org p256 \
	swanctl/private/vpnKey.pem swanctl/x509/vpnCert.pem
issue root rsa.example.org ext_server rsa.example.org rsa \
	swanctl/private/rsaKey.pem swanctl/x509/rsaCert.pem
issue root p521.example.org ext_server p521.example.org p521 \
	swanctl/private/p521Key.pem swanctl/x509/p521Cert.pem
issue root ed.example.org ext_plain ed.example.org ed25519 \
	swanctl/private/edKey.pem swanctl/x509/edCert.pem
# an encrypted PKCS#8 key (passphrase in secrets { }) stored as DER
issue root p384.example.org ext_server p384.example.org p384 \
	peer/p384Key.pem swanctl/x509/p384Cert.pem
openssl pkcs8 -topk8 -in peer/p384Key.pem -outform DER -v2 aes-256-cbc \
	-passout pass:test-secret -out swanctl/private/p384Key.der

# peers, not loaded by the authority
issue inter client ext_client client@example.org rsa peer/client.key peer/client.crt
issue inter revoked ext_client revoked@example.org p256 peer/revoked.key peer/revoked.crt
issue inter eclient ext_client eclient@example.org p256 peer/eclient.key peer/eclient.crt
issue root expired ext_server expired.example.org p256 peer/expired.key peer/expired.crt \
	-startdate 20200101000000Z -enddate 20210101000000Z
issue root future ext_server future.example.org p256 peer/future.key peer/future.crt \
	-startdate 20400101000000Z -enddate 20410101000000Z
issue root peer ext_server peer.example.org p256 peer/peer.key peer/peer.crt
issue root nocdp ext_plain nocdp.example.org p256 peer/nocdp.key peer/nocdp.crt
issue inter ocsp-signer ext_ocsp x p256 peer/ocsp.key peer/ocsp.crt
issue inter inocdp ext_plain inocdp.example.org p256 peer/inocdp.key peer/inocdp.crt
# a CA below the intermediate breaks its pathlen:0
newca sub
issue inter "Cygnet Sub CA" ext_subca x p256 sub/ca.key sub/ca.crt
issue sub deep ext_plain deep.example.org p256 peer/deep.key peer/deep.crt

# a root we do not trust, and a peer under it
newca rogue
key rogue/ca.key p256
openssl req -x509 -new -key rogue/ca.key -subj "$O/CN=Rogue Root CA" \
	-days 3650 -extensions ext_root -out rogue/ca.crt
issue rogue rogue ext_server rogue.example.org p256 peer/rogue.key peer/rogue.crt

# CRLs: revoked is revoked by the intermediate for key compromise
CADIR=inter openssl ca -name ca_default -cert inter/ca.crt -keyfile inter/ca.key \
	-revoke peer/revoked.crt -crl_reason keyCompromise 2>/dev/null
CADIR=inter openssl ca -gencrl -name ca_default -cert inter/ca.crt \
	-keyfile inter/ca.key -crlexts ext_crl -out inter/crl.pem 2>/dev/null
openssl crl -in inter/crl.pem -outform DER -out www/inter.crl
CADIR=root openssl ca -gencrl -name ca_default -cert root/ca.crt \
	-keyfile root/ca.key -crlexts ext_crl -out root/crl.pem 2>/dev/null
openssl crl -in root/crl.pem -outform DER -out www/root.crl

# a CRL carrying the intermediate's name, signed by the rogue key
newca fake
cp rogue/ca.key fake/ca.key
openssl req -x509 -new -key fake/ca.key -subj "$O/CN=Cygnet Intermediate CA" \
	-days 3650 -extensions ext_root -out fake/ca.crt
CADIR=fake openssl ca -gencrl -name ca_default -cert fake/ca.crt \
	-keyfile fake/ca.key -out fake/crl.pem 2>/dev/null
openssl crl -in fake/crl.pem -outform DER -out www/forged.crl
