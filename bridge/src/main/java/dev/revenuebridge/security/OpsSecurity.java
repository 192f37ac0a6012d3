package dev.revenuebridge.security;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.convert.converter.Converter;
import org.springframework.http.HttpMethod;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.access.hierarchicalroles.RoleHierarchyImpl;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Who may do what on the operations port. Three roles: {@code viewer} (traces, exceptions, dead letters, metrics, the
 * deal-desk preview), {@code operator} (viewer, plus replaying and discarding dead letters and Hawtio/Jolokia, limited by
 * {@link BridgeJolokiaRestrictor}) and {@code finance} (viewer, plus approvals). Health and info are open (probes);
 * the webhook is open (Stripe signs it, {@code StripeWebhookController} verifies); everything else is refused, so an
 * endpoint nobody listed here is closed. Stateless: every request carries its credentials.
 *
 * <p>Sign-in, in every mode: users from configuration ({@code revenue.security.users.<name>.password} as a
 * {@code {bcrypt}} hash, {@code .roles}) with HTTP Basic, and/or bearer JWTs of an OIDC issuer
 * ({@code spring.security.oauth2.resourceserver.jwt.issuer-uri}) whose {@code revenue.security.roles-claim} lists the
 * roles. The principal's name is the approver and the actor of the audit log; no request body names them.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
@EnableConfigurationProperties(OpsSecurity.Settings.class)
public class OpsSecurity {

    private static final Logger LOG = LoggerFactory.getLogger(OpsSecurity.class);
    public static final String VIEWER = "VIEWER";
    public static final String OPERATOR = "OPERATOR";
    public static final String FINANCE = "FINANCE";

    /** {@code revenue.security}: the users and the roles claim of OIDC tokens. */
    @ConfigurationProperties("revenue.security")
    public record Settings(Map<String, UserSettings> users, String rolesClaim, String salesforceUserClaim) {
        public Settings {
            users = users == null ? Map.of() : Map.copyOf(users);
            rolesClaim = rolesClaim == null || rolesClaim.isBlank() ? "roles" : rolesClaim;
            salesforceUserClaim = salesforceUserClaim == null || salesforceUserClaim.isBlank() ? "salesforce_user_id"
                    : salesforceUserClaim;
        }

        /**
         * The Salesforce user id of a signed-in user: {@code revenue.security.users.<name>.salesforce-user-id}, or the
         * {@code salesforce-user-claim} of an OIDC token. Empty when not known.
         */
        public java.util.Optional<String> salesforceUserOf(java.security.Principal principal) {
            if (principal instanceof JwtAuthenticationToken token) {
                return java.util.Optional.ofNullable(token.getToken().getClaimAsString(salesforceUserClaim));
            }
            UserSettings user = principal == null ? null : users.get(principal.getName());
            return user == null ? java.util.Optional.empty() : java.util.Optional.ofNullable(user.salesforceUserId());
        }
    }

    /**
     * One user from configuration: a hashed password ({@code {bcrypt}$2a$...}), roles (viewer, operator, finance) and,
     * optionally, the user's Salesforce user id (who closed a deal cannot approve it).
     */
    public record UserSettings(String password, List<String> roles, String salesforceUserId) {
    }

    @Bean
    SecurityFilterChain opsSecurityFilterChain(HttpSecurity http, ObjectProvider<JwtDecoder> jwtDecoder, Settings settings)
            throws Exception {
        http.authorizeHttpRequests(requests -> requests
                        .requestMatchers(HttpMethod.POST, OpsPort.WEBHOOKS).permitAll()
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/info", "/error").permitAll()
                        .requestMatchers("/actuator/hawtio", "/actuator/hawtio/**", "/actuator/jolokia", "/actuator/jolokia/**")
                        .hasRole(OPERATOR)
                        .requestMatchers(HttpMethod.GET, "/actuator/**").hasRole(VIEWER)
                        .requestMatchers(HttpMethod.GET, "/api/deals/*", "/api/exceptions", "/api/dead-letters",
                                "/api/dead-letters/*").hasRole(VIEWER)
                        .requestMatchers(HttpMethod.POST, "/api/preview").hasRole(VIEWER)
                        .requestMatchers(HttpMethod.POST, "/api/dead-letters/*/replay", "/api/dead-letters/*/discard")
                        .hasRole(OPERATOR)
                        .requestMatchers(HttpMethod.POST, "/api/approvals/*").hasRole(FINANCE)
                        .anyRequest().denyAll())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                // no cookies, no sessions: every request carries its own credentials, so there is nothing to forge
                .csrf(csrf -> csrf.disable())
                .httpBasic(basic -> basic.realmName("revenue-bridge operations"));
        JwtDecoder decoder = jwtDecoder.getIfAvailable();
        if (decoder != null) {
            http.oauth2ResourceServer(oauth -> oauth.jwt(jwt -> jwt.decoder(decoder)
                    .jwtAuthenticationConverter(rolesFrom(settings.rolesClaim()))));
        }
        if (settings.users().isEmpty() && decoder == null) {
            LOG.warn("No operations users (revenue.security.users) and no OIDC issuer "
                    + "(spring.security.oauth2.resourceserver.jwt.issuer-uri): nobody can use the ops API, Hawtio or metrics");
        }
        return http.build();
    }

    /** operator and finance can do what viewer can. */
    @Bean
    static RoleHierarchy roleHierarchy() {
        return RoleHierarchyImpl.withDefaultRolePrefix()
                .role(OPERATOR).implies(VIEWER)
                .role(FINANCE).implies(VIEWER)
                .build();
    }

    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    @Bean
    UserDetailsService opsUsers(Settings settings) {
        List<UserDetails> users = new ArrayList<>();
        settings.users().forEach((name, user) -> {
            if (user.password() == null || !user.password().startsWith("{")) {
                throw new IllegalStateException("revenue.security.users." + name + ".password must be a hash with its"
                        + " encoder's id, e.g. {bcrypt}$2a$10$..., never the password itself");
            }
            if (user.password().startsWith("{noop}")) {
                throw new IllegalStateException("revenue.security.users." + name + ".password: {noop} is a plain"
                        + " password; give a {bcrypt} hash");
            }
            users.add(User.withUsername(name).password(user.password())
                    .roles(roles(name, user.roles()).toArray(String[]::new)).build());
        });
        return new InMemoryUserDetailsManager(users);
    }

    /** The web port split must run before security: a path on the wrong port is not there at all. */
    @Bean
    FilterRegistrationBean<OpsPort> opsPortFilter(OpsPort opsPort) {
        FilterRegistrationBean<OpsPort> registration = new FilterRegistrationBean<>(opsPort);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    private static List<String> roles(String user, List<String> names) {
        List<String> roles = new ArrayList<>();
        for (String role : names == null ? List.<String>of() : names) {
            String upper = role.trim().toUpperCase(Locale.ROOT);
            if (!List.of(VIEWER, OPERATOR, FINANCE).contains(upper)) {
                throw new IllegalStateException("revenue.security.users." + user + ".roles: unknown role '" + role
                        + "' (viewer, operator, finance)");
            }
            roles.add(upper);
        }
        return roles;
    }

    private static Converter<Jwt, AbstractAuthenticationToken> rolesFrom(String claim) {
        return jwt -> {
            Collection<GrantedAuthority> authorities = new ArrayList<>();
            Object value = jwt.getClaims().get(claim);
            if (value instanceof Collection<?> names) {
                for (Object name : names) {
                    String upper = String.valueOf(name).toUpperCase(Locale.ROOT);
                    if (List.of(VIEWER, OPERATOR, FINANCE).contains(upper)) {
                        authorities.add(new SimpleGrantedAuthority("ROLE_" + upper));
                    }
                }
            }
            String name = jwt.getClaimAsString("preferred_username") != null ? jwt.getClaimAsString("preferred_username")
                    : jwt.getClaimAsString("email") != null ? jwt.getClaimAsString("email") : jwt.getSubject();
            return new JwtAuthenticationToken(jwt, authorities, name);
        };
    }
}
