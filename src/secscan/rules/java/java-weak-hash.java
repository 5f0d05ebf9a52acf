import java.security.MessageDigest;
import org.apache.commons.codec.digest.DigestUtils;

public class Hashing {
    public byte[] hash(byte[] data) throws Exception {
        // ruleid: java-weak-hash
        MessageDigest md = MessageDigest.getInstance("MD5");
        // ruleid: java-weak-hash
        MessageDigest sha1 = java.security.MessageDigest.getInstance("SHA-1");
        // ok: java-weak-hash
        MessageDigest good = MessageDigest.getInstance("SHA-256");
        // ruleid: java-weak-hash
        String hex = DigestUtils.md5Hex(data);
        // ok: java-weak-hash
        String hex2 = DigestUtils.sha256Hex(data);
        return md.digest(data);
    }
}
