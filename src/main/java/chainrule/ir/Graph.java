package chainrule.ir;

import java.util.List;

/**
 * A checked network as one op graph: its declared leaves in declaration order, its definitions in
 * an order where each comes after every definition it uses (an implicit pre-activation
 * {@code h.in} is not listed: it is an op inside {@code h}'s body), and the loss among them.
 * Built once by the analyser; the element view and the loop program are both derived from it.
 */
public record Graph(List<Op.Declared> declared, List<Op.Definition> definitions, Op.Definition loss) {
    public Graph {
        declared = List.copyOf(declared);
        definitions = List.copyOf(definitions);
    }
}
