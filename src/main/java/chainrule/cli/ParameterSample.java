package chainrule.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which parameters {@code check --sample N} checks: spread over every declaration, so that a small
 * bias vector is checked as well as a large weight matrix. Each declaration ({@code W1} for
 * {@code W1[i,j]}) gets its share of N by size, at least {@value #AT_LEAST_PER_DECLARATION}
 * elements (or all of a smaller one), taken evenly spaced through its elements. Deterministic.
 */
final class ParameterSample {
    static final int AT_LEAST_PER_DECLARATION = 16;

    private ParameterSample() {}

    /** Positions in {@code parameters} to check, in order; {@code wanted} 0 (or at least their number) means all. */
    static int[] of(List<String> parameters, int wanted) {
        if (wanted == 0 || wanted >= parameters.size()) {
            return java.util.stream.IntStream.range(0, parameters.size()).toArray();
        }
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < parameters.size(); i++) {
            String name = parameters.get(i);
            int bracket = name.indexOf('[');
            groups.computeIfAbsent(bracket > 0 ? name.substring(0, bracket) : name, k -> new ArrayList<>()).add(i);
        }
        List<Integer> out = new ArrayList<>();
        for (List<Integer> group : groups.values()) {
            long share = (long) Math.ceil((double) wanted * group.size() / parameters.size());
            int take = (int) Math.min(group.size(), Math.max(share, AT_LEAST_PER_DECLARATION));
            for (int k = 0; k < take; k++) {
                out.add(group.get((int) ((long) k * group.size() / take)));
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
