package chainrule.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Cycle finding and topological order over a name → names-it-uses map, iteratively (no deep recursion). */
final class Cycles {
    private Cycles() {}

    /** Each cycle once, as the names along it, starting from the one that comes first in the map. */
    static List<List<String>> find(Map<String, Set<String>> uses) {
        List<List<String>> cycles = new ArrayList<>();
        Map<String, Integer> state = new HashMap<>(); // 1 on stack, 2 done
        for (String root : uses.keySet()) {
            if (state.containsKey(root)) {
                continue;
            }
            List<String> path = new ArrayList<>();
            List<java.util.Iterator<String>> iters = new ArrayList<>();
            path.add(root);
            iters.add(uses.getOrDefault(root, Set.of()).iterator());
            state.put(root, 1);
            while (!path.isEmpty()) {
                java.util.Iterator<String> it = iters.get(iters.size() - 1);
                if (it.hasNext()) {
                    String next = it.next();
                    if (!uses.containsKey(next)) {
                        continue;
                    }
                    Integer s = state.get(next);
                    if (s == null) {
                        state.put(next, 1);
                        path.add(next);
                        iters.add(uses.get(next).iterator());
                    } else if (s == 1) {
                        cycles.add(new ArrayList<>(path.subList(path.indexOf(next), path.size())));
                    }
                } else {
                    state.put(path.remove(path.size() - 1), 2);
                    iters.remove(iters.size() - 1);
                }
            }
        }
        // A name can close several cycles; report each set of names once.
        List<List<String>> distinct = new ArrayList<>();
        Set<Set<String>> seen = new java.util.HashSet<>();
        for (List<String> c : cycles) {
            if (seen.add(new java.util.HashSet<>(c))) {
                distinct.add(c);
            }
        }
        return distinct;
    }

    /** Names ordered so each comes after the names it uses (those in the map); stable in map order. */
    static List<String> topologicalOrder(Map<String, Set<String>> uses) {
        Set<String> done = new LinkedHashSet<>();
        Set<String> onStack = new java.util.HashSet<>();
        for (String root : uses.keySet()) {
            if (done.contains(root)) {
                continue;
            }
            List<String> path = new ArrayList<>();
            List<java.util.Iterator<String>> iters = new ArrayList<>();
            path.add(root);
            onStack.add(root);
            iters.add(uses.get(root).iterator());
            while (!path.isEmpty()) {
                java.util.Iterator<String> it = iters.get(iters.size() - 1);
                if (it.hasNext()) {
                    String next = it.next();
                    if (uses.containsKey(next) && !done.contains(next) && !onStack.contains(next)) {
                        path.add(next);
                        onStack.add(next);
                        iters.add(uses.get(next).iterator());
                    }
                } else {
                    String finished = path.remove(path.size() - 1);
                    iters.remove(iters.size() - 1);
                    onStack.remove(finished);
                    done.add(finished);
                }
            }
        }
        return new ArrayList<>(done);
    }
}
