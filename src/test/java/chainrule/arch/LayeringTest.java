package chainrule.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The package layering (design.md, "From .nn text to bytecode"), kept true by ArchUnit: the
 * library never reaches the CLI, the compiled back ends never reach the symbolic printers, and no
 * two packages depend on each other, directly or through others (issue 13, item 7: the cycles
 * expr↔diff, expr↔simplify, expr→print and diag→print were broken; this keeps them broken).
 */
class LayeringTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("chainrule");

    @Test
    void onlyTheCliPrintsAndExits() {
        noClasses().that().resideOutsideOfPackage("chainrule.cli..")
                .should().dependOnClassesThat().resideInAPackage("chainrule.cli..")
                .because("the library never prints or exits; only cli does")
                .check(CLASSES);
    }

    @Test
    void theFrontEndKnowsNothingOfWhatComesAfterIt() {
        noClasses().that().resideInAPackage("chainrule.parse..")
                .should().dependOnClassesThat().resideInAnyPackage("chainrule.model..", "chainrule.expr..",
                        "chainrule.layer..", "chainrule.compile..", "chainrule.paths..", "chainrule.codegen..")
                .check(CLASSES);
        noClasses().that().resideInAPackage("chainrule.model..")
                .should().dependOnClassesThat().resideInAnyPackage("chainrule.layer..", "chainrule.compile..",
                        "chainrule.paths..", "chainrule.codegen..", "chainrule.latex..", "chainrule.graph..",
                        "chainrule.flow..", "chainrule.print..")
                .check(CLASSES);
    }

    @Test
    void theLoopBackEndsStayBelowTheSymbolicViews() {
        noClasses().that().resideInAnyPackage("chainrule.layer..", "chainrule.runtime..")
                .should().dependOnClassesThat().resideInAnyPackage("chainrule.codegen..", "chainrule.paths..",
                        "chainrule.print..", "chainrule.latex..", "chainrule.graph..", "chainrule.flow..",
                        "chainrule.simplify..")
                .because("a language describes itself to the layer ops through layer.SourceSyntax")
                .check(CLASSES);
        noClasses().that().resideInAPackage("chainrule.codegen..")
                .should().dependOnClassesThat().resideInAnyPackage("chainrule.paths..", "chainrule.latex..",
                        "chainrule.graph..", "chainrule.flow..", "chainrule.simplify..")
                .check(CLASSES);
    }

    @Test
    void noPackageCycles() {
        Map<String, Set<String>> graph = new TreeMap<>();
        for (JavaClass c : CLASSES) {
            String from = top(c.getPackageName());
            if (from == null) {
                continue;
            }
            graph.computeIfAbsent(from, k -> new TreeSet<>());
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                String to = top(d.getTargetClass().getPackageName());
                if (to != null && !to.equals(from)) {
                    graph.get(from).add(to);
                }
            }
        }
        for (Set<String> component : stronglyConnected(graph)) {
            assertTrue(component.size() == 1, "a package cycle: " + component + "; dependencies: " + graph);
        }
    }

    /** {@code chainrule.expr.foo} → {@code expr}; null outside chainrule (and the ANTLR-generated parser's own package). */
    private static String top(String pkg) {
        if (!pkg.startsWith("chainrule.")) {
            return null;
        }
        String rest = pkg.substring("chainrule.".length());
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    /** Tarjan's strongly connected components. */
    private static List<Set<String>> stronglyConnected(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new LinkedHashSet<>();
        List<Set<String>> out = new java.util.ArrayList<>();
        int[] counter = {0};
        for (String v : graph.keySet()) {
            if (!index.containsKey(v)) {
                connect(v, graph, index, low, stack, onStack, out, counter);
            }
        }
        return out;
    }

    private static void connect(String v, Map<String, Set<String>> graph, Map<String, Integer> index, Map<String, Integer> low,
                                Deque<String> stack, Set<String> onStack, List<Set<String>> out, int[] counter) {
        index.put(v, counter[0]);
        low.put(v, counter[0]++);
        stack.push(v);
        onStack.add(v);
        for (String w : graph.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                connect(w, graph, index, low, stack, onStack, out, counter);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            out.add(component);
        }
    }
}
