package chainrule.model;

import java.util.Collection;
import java.util.Locale;

/**
 * "Did you mean ...?" for a name that is not known: the closest known name, if it is close enough
 * to be a likely typo rather than a guess. Used for undefined names and functions in a file and for
 * names given on the command line ({@code --wrt}, {@code --set}).
 */
public final class Suggestions {
    private Suggestions() {}

    /** "; did you mean 'x'?" for the closest known name within a small edit distance. */
    public static String didYouMean(String name, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = editDistance(name, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best != null && bestDistance <= allowedEdits(name) ? "; did you mean '" + best + "'?" : "";
    }

    /**
     * How many edits a suggestion may be from the name. For one- or two-letter names every other
     * short name is one or two edits away, so a suggestion would be a guess ('q' → 'w'): only a
     * difference of letter case is suggested ('W' → 'w').
     */
    private static int allowedEdits(String name) {
        int n = name.codePointCount(0, name.length());
        return n <= 2 ? 0 : n <= 5 ? 1 : 2;
    }

    /** Edit distance ignoring letter case, so 'W1' → 'w1' counts as a match. */
    static int editDistance(String a, String b) {
        a = a.toLowerCase(Locale.ROOT);
        b = b.toLowerCase(Locale.ROOT);
        if (Math.abs(a.length() - b.length()) > 3) {
            return Integer.MAX_VALUE;
        }
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

}
