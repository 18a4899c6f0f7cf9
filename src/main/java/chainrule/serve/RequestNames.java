package chainrule.serve;

import chainrule.model.Network;
import chainrule.model.Suggestions;
import chainrule.model.Vertex;
import java.util.List;
import java.util.Map;

/**
 * The names a request gives in {@code set=NAME=VALUE} and {@code wrt=NAME}, checked against the
 * network its text declares. A name the network does not have is an error with the CLI's message
 * for {@code --set} and {@code --wrt} (cli.LoadedNetwork), did-you-mean included, never silently
 * ignored. The page drops a slider value or followed parameter that such an answer names (its text
 * was edited) and asks again; a script calling the API sees the error.
 */
final class RequestNames {
    private RequestNames() {}

    /** What is wrong with one name: the option ({@code set} or {@code wrt}), the name, and the CLI's message. */
    record Problem(String option, String name, String message) {
        Map<String, Object> json() {
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            out.put("ok", false);
            out.put("error", message);
            out.put("option", option);
            out.put("name", name);
            return out;
        }
    }

    /**
     * Whether an analysis answer already shows every name to be right (the followed parameter is
     * the one asked for, every slider name a declared scalar), so that the network need not be
     * loaded again to check them. False means: check with {@link #check}.
     */
    static boolean confirmedBy(Map<String, Object> answer, Analysis.Request r, boolean wrtMatters) {
        if (!Boolean.TRUE.equals(answer.get("ok"))) {
            return true; // the text's diagnostics come first, as in the CLI
        }
        if (wrtMatters && r.wrt() != null && !r.wrt().equals(answer.get("wrt"))) {
            return false;
        }
        if (r.sets().isEmpty()) {
            return true;
        }
        if (!(answer.get("declared") instanceof List<?> declared)) {
            return false;
        }
        java.util.Set<Object> scalars = new java.util.HashSet<>();
        for (Object d : declared) {
            if (d instanceof Map<?, ?> m && !m.containsKey("shape")) {
                scalars.add(m.get("name"));
            }
        }
        return scalars.containsAll(r.sets().keySet());
    }

    /** The first name of {@code r} that {@code network} has not, or null. */
    static Problem check(Network network, Analysis.Request r, boolean wrtMatters) {
        for (String name : r.sets().keySet()) {
            Problem p = set(network, name);
            if (p != null) {
                return p;
            }
        }
        return wrtMatters && r.wrt() != null ? wrt(network, r.wrt()) : null;
    }

    /** As {@code --set NAME=...} in cli.LoadedNetwork; a whole vector is refused (a slider sets one value). */
    private static Problem set(Network network, String name) {
        if (network.isDeclaredElement(name)) {
            return null;
        }
        List<String> elements = network.elementNames(name);
        if (!elements.isEmpty()) {
            return new Problem("set", name, "--set " + name + ": '" + name + "' is a vector; the playground sets one element, as in set="
                    + elements.get(0) + "=VALUE (or edit its values in the text)");
        }
        Vertex v = network.vertex(name).orElse(null);
        if (v != null) {
            return new Problem("set", name, "--set " + name + ": '" + name + "' is " + v.kind().withArticle()
                    + ", computed from its definition; only declared names (input, target, weight, bias, const) take values");
        }
        return new Problem("set", name, "--set " + name + ": " + network.source().name()
                + " declares no input, target, weight, bias or const named '" + name + "'"
                + Suggestions.didYouMean(name, network.declaredNames()));
    }

    /** As {@code --wrt NAME} in cli.LoadedNetwork#parameter. */
    private static Problem wrt(Network network, String name) {
        String option = "--wrt";
        Vertex v = network.vertex(name).orElse(null);
        List<String> elements = network.elementNames(name);
        if (v == null && !elements.isEmpty()) {
            if (!network.vertex(elements.get(0)).orElseThrow().kind().isParameter()) {
                Problem p = wrt(network, elements.get(0)); // says what kind it is instead
                return p == null ? null : new Problem("wrt", name, p.message());
            }
            return new Problem("wrt", name, option + " " + name + ": '" + name + "' is a vector; name one element, as in "
                    + option + " '" + elements.get(0) + "'");
        }
        if (v != null && v.kind().isParameter()) {
            return null;
        }
        List<String> names = network.parameterNames();
        if (v == null) {
            String guess = Suggestions.didYouMean(name, names);
            return new Problem("wrt", name, option + " " + name + ": there is no '" + name + "'"
                    + (guess.isEmpty() ? "; the parameters are " + listed(names) : guess));
        }
        return new Problem("wrt", name, option + " " + name + ": '" + name + "' is " + v.kind().withArticle()
                + ", not a weight or bias; the parameters are " + listed(names));
    }

    /** The CLI's list of names, cut after 20 for a large network (an answer is not the place for 100,000 names). */
    private static String listed(List<String> names) {
        return names.size() <= 20 ? String.join(", ", names)
                : String.join(", ", names.subList(0, 20)) + ", ... (" + names.size() + " in all)";
    }
}
