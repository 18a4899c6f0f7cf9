package chainrule.model;

/** What a vertex of the path graph is. */
public enum VertexKind {
    WEIGHT("weight"),
    BIAS("bias"),
    INPUT("input"),
    TARGET("target"),
    CONSTANT("const"),
    /** A node the user defined ({@code net_h1 = ...}). */
    NODE("node"),
    /** The implicit pre-activation {@code h.in} of {@code h = sigmoid(W1 @ x + b1)}: the book's 들. */
    PRE_ACTIVATION("pre-activation"),
    /** The loss. */
    LOSS("loss");

    private final String word;

    VertexKind(String word) {
        this.word = word;
    }

    /** The word used in messages: "weight", "input", ... */
    public String word() { return word; }

    /** The word with its article: "a weight", "an input". */
    public String withArticle() { return ("aeiou".indexOf(word.charAt(0)) >= 0 ? "an " : "a ") + word; }

    public boolean isParameter() { return this == WEIGHT || this == BIAS; }

    /** Declared (has a value), as opposed to defined by an expression. */
    public boolean isDeclared() { return this == WEIGHT || this == BIAS || this == INPUT || this == TARGET || this == CONSTANT; }
}
