package chainrule.flow;

import java.util.Arrays;

/**
 * The spread of some factors' absolute values: smallest, median and largest. The median of an even
 * number of values is the mean of the middle two.
 */
public record Magnitudes(double min, double median, double max, int count) {

    /** The magnitudes of {@code values} (their signs are dropped), or null when there are none. */
    public static Magnitudes of(double[] values) {
        if (values.length == 0) {
            return null;
        }
        double[] abs = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            abs[i] = Math.abs(values[i]);
        }
        Arrays.sort(abs);
        int mid = abs.length / 2;
        double median = abs.length % 2 == 1 ? abs[mid] : (abs[mid - 1] + abs[mid]) / 2;
        return new Magnitudes(abs[0], median, abs[abs.length - 1], abs.length);
    }
}
