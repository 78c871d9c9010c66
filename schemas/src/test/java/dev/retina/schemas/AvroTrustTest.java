package dev.retina.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;

import dev.retina.schemas.avro.ErrorReason;
import dev.retina.schemas.avro.ImageRecord;
import org.apache.avro.util.ClassSecurityValidator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AvroTrustTest {

    @Test
    void trustsGeneratedClassesAndIsIdempotent() {
        AvroTrust.ensureTrusted();
        ClassSecurityValidator.ClassSecurityPredicate first = ClassSecurityValidator.getGlobal();
        AvroTrust.ensureTrusted();
        assertThat(ClassSecurityValidator.getGlobal()).as("second call leaves the validator alone").isSameAs(first);

        assertThatCode(() -> ClassSecurityValidator.validate(ImageRecord.class)).doesNotThrowAnyException();
        assertThatCode(() -> ClassSecurityValidator.validate(ErrorReason.class)).doesNotThrowAnyException();
    }

    @Test
    void stillRefusesUntrustedClasses() {
        AvroTrust.ensureTrusted();
        assertThatThrownBy(() -> ClassSecurityValidator.validate(AvroTrustTest.class))
            .isInstanceOf(SecurityException.class);
    }
}
