import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;

public class SecurityConfig {
    public void configure(HttpSecurity http) throws Exception {
        // ruleid: java-spring-csrf-disabled
        http.csrf().disable();
        // ruleid: java-spring-csrf-disabled
        http.csrf(AbstractHttpConfigurer::disable);
        // ok: java-spring-csrf-disabled
        http.csrf(c -> c.ignoringRequestMatchers("/api/**"));
        // ok: java-spring-csrf-disabled
        http.cors().disable();
    }
}
