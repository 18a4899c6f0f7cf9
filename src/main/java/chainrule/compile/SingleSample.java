package chainrule.compile;

/** The objective of one sample; each thread evaluates in a workspace of its own. */
final class SingleSample implements Objective {
    private final CompiledGradient compiled;
    private final ThreadLocal<CompiledGradient.Workspace> workspace;
    private final ThreadLocal<CompiledGradient.Workspace> second;

    SingleSample(CompiledGradient compiled) {
        this.compiled = compiled;
        this.workspace = ThreadLocal.withInitial(compiled::workspace);
        this.second = ThreadLocal.withInitial(compiled::workspace);
    }

    @Override public CompiledGradient compiled() { return compiled; }

    @Override
    public double loss(double[] declared) {
        CompiledGradient.Workspace ws = workspace.get();
        ws.setDeclared(declared);
        return ws.loss();
    }

    @Override
    public double gradient(double[] declared, double[] gradOut) {
        CompiledGradient.Workspace ws = workspace.get();
        ws.setDeclared(declared);
        return ws.gradient(gradOut);
    }

    @Override
    public boolean kinkBetween(double[] low, double[] high) {
        CompiledGradient.Workspace a = workspace.get();
        CompiledGradient.Workspace b = second.get();
        a.setDeclared(low);
        b.setDeclared(high);
        return Objective.kinkBetween(a, b);
    }
}
