package chainrule.layer;

import chainrule.compile.ClassMetrics;
import chainrule.compile.CompiledGradient;
import chainrule.model.Network;
import chainrule.parse.Ast;
import java.util.Map;
import java.util.Optional;

/**
 * Compiles a network's loss and gradient with loops where the file is written with layers, and
 * with the tape compiler otherwise. Both give a {@link CompiledGradient} with the same layout, so
 * callers cannot tell them apart except by speed (and {@link CompiledGradient#tape()}).
 */
public final class LayerCompiler {
    /** HotSpot does not JIT-compile a method longer than this. */
    private static final int HUGE_METHOD = 8000;

    private LayerCompiler() {}

    /** Loops when {@link LayerLowering} covers {@code file}, else the tape compiler on the element view. */
    public static CompiledGradient compile(Network network, Ast.File file) {
        return LayerLowering.lower(file, network).flatMap(p -> compile(p, network))
                .orElseGet(() -> CompiledGradient.compile(network));
    }

    /**
     * Compiles a layer program; empty when some generated method would be too long for the JIT
     * (an enormous elementwise expression).
     *
     * @param network the analysed network the program was lowered from (its values and layout), or
     *                null: then the declared names come from the program and no value is set
     */
    public static Optional<CompiledGradient> compile(LayerProgram program, Network network) {
        CompiledGradient.Layout layout = network == null
                ? new CompiledGradient.Layout(program.declaredNames(), program.parameterNames(), Map.of())
                : CompiledGradient.Layout.of(network);
        if (network != null && (layout.declaredNames().size() != program.declaredCount()
                || layout.parameterNames().size() != program.parameterCount())) {
            throw new IllegalStateException("the layer program's layout differs from the network's");
        }
        try {
            return Optional.of(CompiledGradient.define(layout, network, name -> {
                byte[] bytes = LoopCompiler.emit(program, name);
                if (ClassMetrics.largestMethod(bytes) >= HUGE_METHOD) {
                    throw new TooLarge();
                }
                return bytes;
            }, program.workSize(), program.kinkProbe()));
        } catch (TooLarge e) {
            return Optional.empty();
        }
    }

    private static final class TooLarge extends RuntimeException {
        TooLarge() {
            super(null, null, false, false);
        }
    }
}
