package chainrule.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Which parameters {@code check --sample N} checks: spread over every declaration, so that a small
 * bias vector is checked as well as a large weight matrix. Each declaration ({@code W1} for
 * {@code W1[i,j]}) gets its share of N by size, at least {@value #AT_LEAST_PER_DECLARATION}
 * elements (or all of a smaller one), taken evenly spaced through its elements. Deterministic.
 */
final class ParameterSample {
    static final int AT_LEAST_PER_DECLARATION = 16;

    private ParameterSample() {}

    /**
     * Positions in the parameters to check, in order; {@code wanted} 0 (or at least their number)
     * means all. The parameters are the elements of the weight and bias declarations in
     * declaration order, {@code sizes} the number of elements of each ({@link
     * chainrule.model.Network#parameterShapes()}): the declarations are what the analysis states,
     * not read back from element names.
     */
    static int[] of(List<Integer> sizes, int wanted) {
        int total = 0;
        for (int size : sizes) {
            total = Math.addExact(total, size);
        }
        if (wanted == 0 || wanted >= total) {
            return java.util.stream.IntStream.range(0, total).toArray();
        }
        List<Integer> out = new ArrayList<>();
        int start = 0;
        for (int size : sizes) {
            long share = (long) Math.ceil((double) wanted * size / total);
            int take = (int) Math.min(size, Math.max(share, AT_LEAST_PER_DECLARATION));
            for (int k = 0; k < take; k++) {
                out.add(start + (int) ((long) k * size / take));
            }
            start += size;
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
