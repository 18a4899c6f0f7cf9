package chainrule.codegen;

/**
 * Safe spellings of user names in generated source. User names never become identifiers or
 * literal text directly: identifiers are {@code v12_net_h1} (a slot number, then the name reduced
 * to ASCII letters, digits and underscores, other code points written as {@code uXXXX}), so they
 * cannot be keywords ({@code class}, {@code int}, {@code lambda}), clash with each other or with
 * the {@code cr_} helpers; comments get the name with anything outside letters, digits and
 * {@code _ . [ ] , / -} replaced (line comments only, so {@code /} cannot close one), so no name can end a comment or a line.
 */
final class Names {
    private static final int MAX_SUFFIX = 40;

    private Names() {}

    /** An identifier for slot {@code slot} holding vertex {@code name} (null: no vertex). */
    static String identifier(String prefix, int slot, String name) {
        if (name == null) {
            return prefix + slot;
        }
        StringBuilder sb = new StringBuilder();
        name.codePoints().forEach(cp -> {
            if (cp < 128 && (Character.isLetterOrDigit(cp) || cp == '_')) {
                sb.append((char) cp);
            } else if (cp == '.') {
                sb.append('_');
            } else {
                sb.append('u').append(Integer.toHexString(cp).toUpperCase());
            }
        });
        String suffix = sb.length() > MAX_SUFFIX ? sb.substring(0, MAX_SUFFIX) : sb.toString();
        return prefix + slot + "_" + suffix;
    }

    /** {@code name} for a comment: ASCII letters, digits and {@code _.[],} kept, others as {@code U+XXXX}. */
    static String comment(String name) {
        StringBuilder sb = new StringBuilder();
        name.codePoints().forEach(cp -> {
            if (cp < 128 && (Character.isLetterOrDigit(cp) || "_.[],/-".indexOf(cp) >= 0)) {
                sb.append((char) cp);
            } else {
                sb.append("U+").append(String.format("%04X", cp));
            }
        });
        return sb.toString();
    }
}
