package dev.retina.schemas;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Makes Avro 1.12.2's class-security check accept Retina's generated classes.
 *
 * <p>Since 1.12.2, {@code SpecificData} refuses to load a class by name unless a
 * {@link ClassSecurityValidator} trusts it, and every SpecificRecord read loads classes by name.
 * Rather than asking every user to set {@code org.apache.avro.SERIALIZABLE_PACKAGES}, the serde
 * calls {@link #ensureTrusted()} once, which adds the package {@value #GENERATED_PACKAGE} to the
 * global validator while keeping whatever was trusted before (defaults and system properties).
 *
 * <p>The serde classes call it in their static initialisers. Code that reads generated classes without the serde
 * (e.g. {@code ImageRecord.fromByteBuffer} or a hand-made {@code SpecificDatumReader}) calls it once first.
 */
public final class AvroTrust {

    /** Package of the classes generated from {@code src/main/avro}. */
    public static final String GENERATED_PACKAGE = "dev.retina.schemas.avro";

    private static boolean installed;

    private AvroTrust() {
    }

    /**
     * Trusts the generated package in the global validator. Safe to call any number of times from any
     * thread; only the first call changes the global validator.
     */
    public static synchronized void ensureTrusted() {
        if (installed) {
            return;
        }
        ClassSecurityValidator.ClassSecurityPredicate previous = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.ClassSecurityPredicate generated =
            type -> GENERATED_PACKAGE.equals(type.getPackageName());
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(previous, generated));
        installed = true;
    }
}
