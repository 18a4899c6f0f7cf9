package chainrule.model;

import chainrule.expr.Primitive;
import chainrule.expr.UserFunction;
import chainrule.expr.VectorPrimitive;
import chainrule.ir.Reduction;
import chainrule.parse.Ast;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the analyser's name resolution found ({@link Analyzer}): each declared, defined and function
 * name of the file with its syntax, the declared shapes, the loss, and the user functions once
 * lowered. The op builder ({@link OpBuilder}) looks names up here.
 */
final class Names {
    final Map<String, Ast.Declarator> declared = new LinkedHashMap<>();
    final Map<String, Ast.DeclKind> declaredKind = new HashMap<>();
    final Map<String, Ast.Definition> defined = new LinkedHashMap<>();
    final Map<String, Ast.FunctionDef> functionDefs = new LinkedHashMap<>();
    final Map<String, UserFunction> functions = new LinkedHashMap<>();
    /** Declared vectors' shapes; a scalar declaration (or one with a bad shape) is absent. */
    final Map<String, List<Integer>> shapes = new HashMap<>();
    final Set<String> badShapes = new LinkedHashSet<>();
    Ast.Definition loss;

    /** Names of the built-ins that act on whole vectors (not in the primitive table). */
    static boolean isVectorBuiltin(String name) {
        return Reduction.byName(name).isPresent() || VectorPrimitive.byName(name).isPresent();
    }

    String describe(String name) {
        Ast.DeclKind k = declaredKind.get(name);
        return k != null ? k.keyword() : defined.get(name).isLoss() ? "loss" : "node";
    }

    Set<String> functionNames() {
        Set<String> names = new LinkedHashSet<>();
        for (Primitive p : Primitive.values()) {
            names.add(p.sourceName());
        }
        for (Reduction r : Reduction.values()) {
            names.add(r.sourceName());
        }
        for (VectorPrimitive p : VectorPrimitive.values()) {
            names.add(p.sourceName());
        }
        names.addAll(functionDefs.keySet());
        return names;
    }

}
