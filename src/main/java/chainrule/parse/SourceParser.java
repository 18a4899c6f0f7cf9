package chainrule.parse;

import chainrule.diag.Diagnostic;
import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.parse.antlr.NetworkLexer;
import chainrule.parse.antlr.NetworkParser;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.antlr.v4.runtime.BailErrorStrategy;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.atn.PredictionMode;
import org.antlr.v4.runtime.misc.ParseCancellationException;

/**
 * Parses {@code .nn} source into an {@link Ast}: lexer, {@link LineJoiner}, then {@link FastParser}
 * straight to the AST when the text is well formed, else ANTLR's parser and {@link AstBuilder}.
 * ANTLR's console listeners are replaced by one that turns every syntax error into a
 * {@link Diagnostic} with a message in the language's own words; all of a file's syntax errors (at
 * most one per line, to avoid cascades) are thrown together.
 */
public final class SourceParser {

    /** @param maxNesting   deepest nesting of brackets, unary signs and {@code ^} chains accepted
     *  @param maxChars     longest source text accepted */
    public record Limits(int maxNesting, int maxChars) {
        public static final Limits DEFAULT = new Limits(1000, 8 * 1024 * 1024);
    }

    private SourceParser() {}

    public static Ast.File parseFile(Source source) throws DiagnosticException {
        return parseFile(source, Limits.DEFAULT);
    }

    public static Ast.File parseFile(Source source, Limits limits) throws DiagnosticException {
        return run(source, limits, FastParser::file, NetworkParser::file, tree -> new AstBuilder().file(tree));
    }

    /** Parses a lone expression, as given to {@code chainrule diff}. */
    public static Ast.Expr parseExpression(Source source) throws DiagnosticException {
        return run(source, Limits.DEFAULT, FastParser::standalone, NetworkParser::standaloneExpr,
                tree -> new AstBuilder().standalone(tree));
    }

    /** For tests: the hand-written parser alone; null where it gives way to ANTLR. */
    static Ast.File parseFileDirectOnly(Source source) {
        return parseDirect(source, Limits.DEFAULT, FastParser::file);
    }

    /** For tests: ANTLR alone (LL, one stage), as before the hand-written parser. */
    static Ast.File parseFileAntlrOnly(Source source) throws DiagnosticException {
        return run(source, Limits.DEFAULT, p -> null, NetworkParser::file, tree -> new AstBuilder().file(tree), false);
    }

    /** For tests: the lone-expression counterparts of the two above. */
    static Ast.Expr parseExpressionDirectOnly(Source source) {
        return parseDirect(source, Limits.DEFAULT, FastParser::standalone);
    }

    static Ast.Expr parseExpressionAntlrOnly(Source source) throws DiagnosticException {
        return run(source, Limits.DEFAULT, p -> null, NetworkParser::standaloneExpr,
                tree -> new AstBuilder().standalone(tree), false);
    }

    private static <C, T> T run(Source source, Limits limits, Function<FastParser, T> direct,
                                Function<NetworkParser, C> parse, Function<C, T> build) throws DiagnosticException {
        return run(source, limits, direct, parse, build, true);
    }

    /**
     * Parses with {@code direct} ({@link FastParser}) when the text is well formed; else with
     * ANTLR's {@code parse}, in two stages (see {@link #parseFast}). Only a tree without syntax
     * errors reaches {@code build} (ANTLR's recovery leaves holes in the tree that the AST builder
     * must never see).
     */
    private static <C, T> T run(Source source, Limits limits, Function<FastParser, T> direct,
                                Function<NetworkParser, C> parse, Function<C, T> build, boolean fast)
            throws DiagnosticException {
        if (source.text().length() > limits.maxChars()) {
            throw new DiagnosticException(Diagnostic.error(source, 1, 1, 1,
                    "input too large (" + source.text().length() + " characters; the limit is "
                            + limits.maxChars() + "); raise it with --max-input"));
        }
        if (fast) {
            T ast = parseDirect(source, limits, direct);
            if (ast != null) {
                return ast;
            }
            C tree = parseFast(source, limits, parse);
            if (tree != null) {
                return build.apply(tree);
            }
        }
        List<Diagnostic> diagnostics = new ArrayList<>();
        Set<Integer> linesWithErrors = new HashSet<>();
        NetworkLexer lexer = new NetworkLexer(CharStreams.fromString(source.text(), source.name()));
        lexer.removeErrorListeners();
        LineJoiner joiner = new LineJoiner(lexer, source, diagnostics, linesWithErrors, limits.maxNesting());
        CommonTokenStream tokens = new CommonTokenStream(joiner);
        NetworkParser parser = new NetworkParser(tokens);
        parser.removeErrorListeners();
        parser.setErrorHandler(new StatementRecovery());
        parser.addErrorListener(new BaseErrorListener() {
            @Override
            public void syntaxError(Recognizer<?, ?> recognizer, Object offending, int line, int charPos,
                                    String msg, RecognitionException e) {
                if (joiner.stopped()) {
                    return;
                }
                Diagnostic d = new SyntaxErrorMessage(source, (Parser) recognizer, tokens, joiner, (Token) offending)
                        .diagnostic();
                if (linesWithErrors.add(d.line())) {
                    diagnostics.add(d);
                }
            }
        });
        C tree = parse.apply(parser);
        if (!diagnostics.isEmpty()) {
            diagnostics.sort((a, b) -> a.line() != b.line() ? Integer.compare(a.line(), b.line())
                    : Integer.compare(a.column(), b.column()));
            throw new DiagnosticException(diagnostics);
        }
        return build.apply(tree);
    }

    /**
     * The hand-written parser over the same tokens; null when the text has any error (a syntax
     * error, one the scanner reports, or nesting deep enough to exhaust the stack), for ANTLR to
     * parse again and report.
     */
    private static <T> T parseDirect(Source source, Limits limits, Function<FastParser, T> direct) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        NetworkLexer lexer = new NetworkLexer(CharStreams.fromString(source.text(), source.name()));
        lexer.removeErrorListeners();
        LineJoiner joiner = new LineJoiner(lexer, source, diagnostics, new HashSet<>(), limits.maxNesting());
        T ast;
        try {
            ast = direct.apply(new FastParser(joiner));
        } catch (FastParser.Mismatch | NumberFormatException | StackOverflowError e) {
            // NumberFormatException: a malformed number (1.2.3), which the joiner has also reported
            return null;
        }
        return diagnostics.isEmpty() && !joiner.stopped() ? ast : null;
    }

    /**
     * The first of ANTLR's two-stage parse: SLL prediction, which needs no full-context look-ahead,
     * and an error strategy that gives up at the first syntax error. SLL either finds the same tree
     * as LL or fails, so a tree it returns is the answer. It returns null when the text has any
     * error at all (a syntax error, or one that the scanner reports, such as a malformed number or
     * the nesting limit): the caller then parses again from the start in full LL mode with the
     * usual recovery and listeners, so every message is exactly what the one-stage parser said.
     */
    private static <C> C parseFast(Source source, Limits limits, Function<NetworkParser, C> parse) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        NetworkLexer lexer = new NetworkLexer(CharStreams.fromString(source.text(), source.name()));
        lexer.removeErrorListeners();
        LineJoiner joiner = new LineJoiner(lexer, source, diagnostics, new HashSet<>(), limits.maxNesting());
        NetworkParser parser = new NetworkParser(new CommonTokenStream(joiner));
        parser.removeErrorListeners();
        parser.setErrorHandler(new BailErrorStrategy());
        parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
        C tree;
        try {
            tree = parse.apply(parser);
        } catch (ParseCancellationException e) {
            return null;
        }
        return diagnostics.isEmpty() && !joiner.stopped() ? tree : null;
    }
}
