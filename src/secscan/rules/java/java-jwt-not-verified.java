import io.jsonwebtoken.Claims;
import io.jsonwebtoken.Jwt;
import io.jsonwebtoken.Jwts;

public class JwtEndpoint {
    public Claims votes(String accessToken) {
        // ruleid: java-jwt-not-verified
        Jwt jwt = Jwts.parser().setSigningKey(JWT_PASSWORD).parse(accessToken);
        // ok: java-jwt-not-verified
        Claims verified = Jwts.parser().setSigningKey(JWT_PASSWORD).parseClaimsJws(accessToken).getBody();
        return (Claims) jwt.getBody();
    }

    public String auth0(String token) {
        // ruleid: java-jwt-not-verified
        String sub = JWT.decode(token).getSubject();
        // ok: java-jwt-not-verified
        String ok = JWT.require(algorithm).build().verify(token).getSubject();
        return sub + ok;
    }
}
