package chainrule.parse;

import chainrule.diag.Diagnostic;
import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.parse.antlr.NetworkLexer;
import chainrule.parse.antlr.NetworkParser;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * Parses {@code .nn} source into an {@link Ast}: lexer, {@link LineJoiner}, parser, {@link AstBuilder}.
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
        return run(source, limits, p -> new AstBuilder().file(p.file()));
    }

    /** Parses a lone expression, as given to {@code chainrule diff}. */
    public static Ast.Expr parseExpression(Source source) throws DiagnosticException {
        return run(source, Limits.DEFAULT, p -> new AstBuilder().standalone(p.standaloneExpr()));
    }

    private static <T> T run(Source source, Limits limits, Function<NetworkParser, T> build) throws DiagnosticException {
        if (source.text().length() > limits.maxChars()) {
            throw new DiagnosticException(Diagnostic.error(source, 1, 1, 1,
                    "input too large (" + source.text().length() + " characters; the limit is "
                            + limits.maxChars() + "); raise it with --max-input"));
        }
        List<Diagnostic> diagnostics = new ArrayList<>();
        NetworkLexer lexer = new NetworkLexer(CharStreams.fromString(source.text(), source.name()));
        lexer.removeErrorListeners();
        LineJoiner joiner = new LineJoiner(lexer, source, diagnostics, limits.maxNesting());
        NetworkParser parser = new NetworkParser(new CommonTokenStream(joiner));
        parser.removeErrorListeners();
        Set<Integer> linesWithErrors = new HashSet<>();
        parser.addErrorListener(new BaseErrorListener() {
            @Override
            public void syntaxError(Recognizer<?, ?> recognizer, Object offending, int line, int charPos,
                                    String msg, RecognitionException e) {
                if (joiner.stopped() || !linesWithErrors.add(line)) {
                    return;
                }
                Token t = (Token) offending;
                int length = t == null || t.getType() == Token.EOF ? 1 : t.getText().codePointCount(0, t.getText().length());
                diagnostics.add(Diagnostic.error(source, line, charPos + 1, length,
                        message((Parser) recognizer, t)));
            }
        });
        T result = build.apply(parser);
        if (!diagnostics.isEmpty()) {
            diagnostics.sort((a, b) -> a.line() != b.line() ? Integer.compare(a.line(), b.line())
                    : Integer.compare(a.column(), b.column()));
            throw new DiagnosticException(diagnostics);
        }
        return result;
    }

    private static String message(Parser parser, Token t) {
        String found = describe(t);
        if (t != null && isKeyword(t.getType())) {
            return "unexpected " + found + ": '" + t.getText() + "' is a keyword and cannot be used as a name";
        }
        IntervalSet expected;
        try {
            expected = parser.getExpectedTokens();
        } catch (RuntimeException notComputable) {
            expected = new IntervalSet();
        }
        String wanted = describeExpected(expected);
        return "unexpected " + found + (wanted.isEmpty() ? "" : "; expected " + wanted);
    }

    static String describe(Token t) {
        if (t == null || t.getType() == Token.EOF) {
            return "end of file";
        }
        return switch (t.getType()) {
            case NetworkLexer.NEWLINE -> "end of line";
            case NetworkLexer.NUMBER -> "number '" + t.getText() + "'";
            case NetworkLexer.IDENT -> "name '" + t.getText() + "'";
            default -> "'" + t.getText() + "'";
        };
    }

    private static boolean isKeyword(int type) {
        return type == NetworkLexer.INPUT || type == NetworkLexer.TARGET || type == NetworkLexer.WEIGHT
                || type == NetworkLexer.BIAS || type == NetworkLexer.CONST || type == NetworkLexer.LOSS
                || type == NetworkLexer.FUNCTION;
    }

    private static String describeExpected(IntervalSet set) {
        Set<String> words = new LinkedHashSet<>();
        List<Integer> types = set.toList();
        boolean expression = types.contains(NetworkLexer.IDENT) && types.contains(NetworkLexer.NUMBER);
        boolean statement = types.contains(NetworkLexer.WEIGHT) && types.contains(NetworkLexer.LOSS);
        if (statement) {
            words.add("a declaration or a definition");
        } else if (expression) {
            words.add("an expression");
        }
        for (int type : types) {
            switch (type) {
                case NetworkLexer.IDENT -> words.add(expression || statement ? null : "a name");
                case NetworkLexer.NUMBER -> words.add(expression ? null : "a number");
                case NetworkLexer.ASSIGN -> words.add("'='");
                case NetworkLexer.RPAREN -> words.add("')'");
                case NetworkLexer.RBRACK -> words.add("']'");
                case NetworkLexer.LPAREN -> words.add(expression ? null : "'('");
                case NetworkLexer.COMMA -> words.add("','");
                case NetworkLexer.NEWLINE, NetworkLexer.SEMI, Token.EOF -> words.add("end of statement");
                default -> { }
            }
        }
        words.remove(null);
        List<String> list = new ArrayList<>(words);
        if (list.size() > 4) {
            list = list.subList(0, 4);
        }
        if (list.isEmpty()) {
            return "";
        }
        if (list.size() == 1) {
            return list.get(0);
        }
        return String.join(", ", list.subList(0, list.size() - 1)) + " or " + list.get(list.size() - 1);
    }
}
