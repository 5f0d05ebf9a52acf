import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;

public class Crypto {
    public void ciphers() throws Exception {
        // ruleid: java-weak-cipher
        Cipher des = javax.crypto.Cipher.getInstance("DES/CBC/PKCS5Padding");
        // ruleid: java-weak-cipher
        Cipher ecb = Cipher.getInstance("AES/ECB/PKCS5Padding");
        // ruleid: java-weak-cipher
        Cipher bare = Cipher.getInstance("AES");
        // ok: java-weak-cipher
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        // ok: java-weak-cipher
        Cipher cbc = Cipher.getInstance("AES/CBC/PKCS5PADDING");
        // ruleid: java-weak-cipher
        KeyGenerator kg = KeyGenerator.getInstance("DESede");
    }
}
