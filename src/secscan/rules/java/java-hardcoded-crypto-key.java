import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.SignatureAlgorithm;
import io.jsonwebtoken.impl.TextCodec;
import javax.crypto.spec.SecretKeySpec;

public class Tokens {
    public static final String JWT_PASSWORD = TextCodec.BASE64.encode("victory");

    public String token(String user) {
        // ruleid: java-hardcoded-crypto-key
        return Jwts.builder().setSubject(user).signWith(SignatureAlgorithm.HS512, JWT_PASSWORD).compact();
    }

    public SecretKeySpec key() {
        // ruleid: java-hardcoded-crypto-key
        return new SecretKeySpec("dev-only-not-a-secret".getBytes(), "AES");
    }

    public SecretKeySpec envKey() {
        // ok: java-hardcoded-crypto-key
        return new SecretKeySpec(System.getenv("APP_KEY").getBytes(), "AES");
    }

    public String envToken(String user, String secret) {
        // ok: java-hardcoded-crypto-key
        return Jwts.builder().setSubject(user).signWith(SignatureAlgorithm.HS512, secret).compact();
    }
}
