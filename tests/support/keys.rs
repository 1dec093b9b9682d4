//! Fixed private keys for test client certificates (test-only, never used anywhere else).
//!
//! `ring` (rcgen's backend here) cannot generate RSA keys, and UCP bundles carry keys in the
//! traditional PEM forms (`RSA PRIVATE KEY`, `EC PRIVATE KEY`), so each key is kept in that form
//! for the bundle and in PKCS#8 for rcgen. Generated with `openssl genrsa -traditional 2048`,
//! `openssl ecparam -name prime256v1 -genkey -noout` and `openssl pkcs8 -topk8 -nocrypt`.

/// Test key `rsa1.pem`.
pub const RSA_PKCS1: &str = "\
-----BEGIN RSA PRIVATE KEY-----\n\
MIIEowIBAAKCAQEAyImCgWBtQLiZg3y+j4sZvGqP+b+pXQ8bHucbt+2vaKFkleTI\n\
9pj+FxyOOGRDvnZN656SO/AIxkfleIAzIorWcSi2elbTmxFfWMvBWqkXeZ6S7NaY\n\
Dz/QEmkVwZtEkug87rm+T5XCjVYP2hg6lL8fMU2ufGtfEZCJNYsnKLpNBUomE+tO\n\
H27DG/+zS1deZA8mqFqqxtzvBUlDKx9mJXNfW/D/VsCORqj7lEO9SbdYemf3dHrh\n\
wbCvhGyhduv3qdnW63QPQ3nBHCT373ACLurevseEuHIqFkP8sl5kd3Sj3BbxpMYs\n\
Hwp/dJCMagJjy2mm3VO4/UgumtOB/CCCCak06wIDAQABAoIBABaNlH5NZGwbdrRZ\n\
cqr9F1tf1qpdWkRLfx7WGgFw+0G2qPPMo6dMJINf5ETGTfIdJv1BO6v+/lWiX1XS\n\
gS241I4saH1Qx4KQjRsU6z1xd+DnKxn0tmw8nn97jwVTm340HSox/IvByXwQuj6q\n\
a+gvqGfolx+KCcqVaUD60eAcN65I6dYNb+GwUvsSrCRErXa5mkz1MYeFhQtHhbVu\n\
CI/ZXm2mJrECsK6EGjiB+mzQeN+DLNMzTh5mOQIvze4iJIwrtj2OSHE8ruq8ziES\n\
cTy+A0tIun4Vzdqnl/HYGZtlIEgdB877eq9ZnR5nI5366Ngqrc1fhBBlMZQ5JG8e\n\
+uN1f90CgYEA+Ud4gboenp+Ho6ZBKt3o469UyUAWytenx7yZB8yxH9QJki6Tqper\n\
PaEAgUoU+hawEFuji2TM0JnwYvcuiVTNQzAeYdJSt1RuHpj8agk/PQk9t8APSaqn\n\
WNvPcvQOSjHVnl5pZunLlOaPNWb1HrrJ+Xjhh1YZwuN5HIqbpsFbJ5UCgYEAzfGe\n\
5PKZmNh0RIudxhDwwSNzGXlUoaQaWoYZp4QXNoRbxTMaXrffezT0C5ryWjjbKZSX\n\
LJ+9SRkahMQgd0zBm94Mr6EmMwLSe9cv5/32PK1/LhuT8G8I7yiu4dTbrCFg89P1\n\
hUDEStEZvTonp9fVmfmLRf4KLX6trkCMYD4hyn8CgYAW3CEG9IR+U27i6Qos3jDP\n\
QHLsCb6NV32BaaA3AOR1YMKH71GHYWVIv40GTj7iOFZpCZ5T2CiYMKXEzZos6ePw\n\
92ax3dHMEigPEkSDjNmJxWEtiqVcQhQap/28MvlkgHFwloPf9iy/OO2FHi34ZXTE\n\
Nfuop5KxNp8SqPthLXYoiQKBgFsGq+uYCynSqnlNmJveCvvjFlGxHiYf6YIPebFg\n\
If53vDRKZSJudTn46tFiWDJmpQAY7ETOChUQIneCVLNGWuDw4XyTZtXvLmeMcmFB\n\
ECA7s1YG3HnOKg3DVqD8u2e2jSrYidGvEdPb3luUI8j9Di1zbgquwYLgVhYJ88Hq\n\
VHczAoGBAN2QXVmLteKKpd2Cmm4K72B49If2CsAwWpw/oXUXSlUXE4ko2Mc1Awi9\n\
4fvMiL4wXZndbA2Yc1QkYA2gb5a7xL5h1+6fhLUY/krpCGTXdBH/UvepqWf9u1z6\n\
UHrKFOLHIH6r4J3m5xSAUyjzy6wz8/kNYdETtGB5PcotmpPQtNoO\n\
-----END RSA PRIVATE KEY-----\n\
";

/// Test key `rsa8.pem`.
pub const RSA_PKCS8: &str = "\
-----BEGIN PRIVATE KEY-----\n\
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDIiYKBYG1AuJmD\n\
fL6Pixm8ao/5v6ldDxse5xu37a9ooWSV5Mj2mP4XHI44ZEO+dk3rnpI78AjGR+V4\n\
gDMiitZxKLZ6VtObEV9Yy8FaqRd5npLs1pgPP9ASaRXBm0SS6Dzuub5PlcKNVg/a\n\
GDqUvx8xTa58a18RkIk1iycouk0FSiYT604fbsMb/7NLV15kDyaoWqrG3O8FSUMr\n\
H2Ylc19b8P9WwI5GqPuUQ71Jt1h6Z/d0euHBsK+EbKF26/ep2dbrdA9DecEcJPfv\n\
cAIu6t6+x4S4cioWQ/yyXmR3dKPcFvGkxiwfCn90kIxqAmPLaabdU7j9SC6a04H8\n\
IIIJqTTrAgMBAAECggEAFo2Ufk1kbBt2tFlyqv0XW1/Wql1aREt/HtYaAXD7Qbao\n\
88yjp0wkg1/kRMZN8h0m/UE7q/7+VaJfVdKBLbjUjixofVDHgpCNGxTrPXF34Ocr\n\
GfS2bDyef3uPBVObfjQdKjH8i8HJfBC6Pqpr6C+oZ+iXH4oJypVpQPrR4Bw3rkjp\n\
1g1v4bBS+xKsJEStdrmaTPUxh4WFC0eFtW4Ij9lebaYmsQKwroQaOIH6bNB434Ms\n\
0zNOHmY5Ai/N7iIkjCu2PY5IcTyu6rzOIRJxPL4DS0i6fhXN2qeX8dgZm2UgSB0H\n\
zvt6r1mdHmcjnfro2CqtzV+EEGUxlDkkbx7643V/3QKBgQD5R3iBuh6en4ejpkEq\n\
3ejjr1TJQBbK16fHvJkHzLEf1AmSLpOql6s9oQCBShT6FrAQW6OLZMzQmfBi9y6J\n\
VM1DMB5h0lK3VG4emPxqCT89CT23wA9JqqdY289y9A5KMdWeXmlm6cuU5o81ZvUe\n\
usn5eOGHVhnC43kcipumwVsnlQKBgQDN8Z7k8pmY2HREi53GEPDBI3MZeVShpBpa\n\
hhmnhBc2hFvFMxpet997NPQLmvJaONsplJcsn71JGRqExCB3TMGb3gyvoSYzAtJ7\n\
1y/n/fY8rX8uG5PwbwjvKK7h1NusIWDz0/WFQMRK0Rm9Oien19WZ+YtF/gotfq2u\n\
QIxgPiHKfwKBgBbcIQb0hH5TbuLpCizeMM9AcuwJvo1XfYFpoDcA5HVgwofvUYdh\n\
ZUi/jQZOPuI4VmkJnlPYKJgwpcTNmizp4/D3ZrHd0cwSKA8SRIOM2YnFYS2KpVxC\n\
FBqn/bwy+WSAcXCWg9/2LL847YUeLfhldMQ1+6inkrE2nxKo+2EtdiiJAoGAWwar\n\
65gLKdKqeU2Ym94K++MWUbEeJh/pgg95sWAh/ne8NEplIm51Ofjq0WJYMmalABjs\n\
RM4KFRAid4JUs0Za4PDhfJNm1e8uZ4xyYUEQIDuzVgbcec4qDcNWoPy7Z7aNKtiJ\n\
0a8R09veW5QjyP0OLXNuCq7BguBWFgnzwepUdzMCgYEA3ZBdWYu14oql3YKabgrv\n\
YHj0h/YKwDBanD+hdRdKVRcTiSjYxzUDCL3h+8yIvjBdmd1sDZhzVCRgDaBvlrvE\n\
vmHX7p+EtRj+SukIZNd0Ef9S96mpZ/27XPpQesoU4scgfqvgnebnFIBTKPPLrDPz\n\
+Q1h0RO0YHk9yi2ak9C02g4=\n\
-----END PRIVATE KEY-----\n\
";

/// Test key `ec1.pem`.
pub const EC_SEC1: &str = "\
-----BEGIN EC PRIVATE KEY-----\n\
MHcCAQEEIEiUcA+0ULBejrRTXdNjIjh4vyGabD/5MB2YAsDorbDnoAoGCCqGSM49\n\
AwEHoUQDQgAE9X5KB61uiopjG/manAqEnV8wJaiTgPicfHCHzJPcLOsUqmlvD5wu\n\
dTXHlG4AjYKgDNs2DasyEQVYrc4h1B36Ug==\n\
-----END EC PRIVATE KEY-----\n\
";

/// Test key `ec8.pem`.
pub const EC_PKCS8: &str = "\
-----BEGIN PRIVATE KEY-----\n\
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgSJRwD7RQsF6OtFNd\n\
02MiOHi/IZpsP/kwHZgCwOitsOehRANCAAT1fkoHrW6KimMb+ZqcCoSdXzAlqJOA\n\
+Jx8cIfMk9ws6xSqaW8PnC51NceUbgCNgqAM2zYNqzIRBVitziHUHfpS\n\
-----END PRIVATE KEY-----\n\
";
