package chainrule.parse;

import chainrule.diag.Diagnostic;
import chainrule.diag.Source;
import chainrule.parse.antlr.NetworkLexer;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenStream;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * One ANTLR syntax error in the language's own words, the way a compiler says it:
 * {@code expected an expression after '*', found '*'}, {@code missing ')' to close the '(' at line 3,
 * column 12}, {@code 'weight' is a keyword and cannot be used as a name}. Where the problem is that
 * something is missing at the end of a line, the caret goes right after the last token written,
 * where the missing thing belongs, not at the start of the next line.
 */
final class SyntaxErrorMessage {
    private final Source source;
    private final TokenStream tokens;
    private final Token offending;
    private final Token previous;
    private final IntervalSet expected;
    private final Token unclosedBracket;
    private final boolean unmatchedBracket;

    SyntaxErrorMessage(Source source, Parser parser, TokenStream tokens, LineJoiner joiner, Token offending) {
        this.source = source;
        this.tokens = tokens;
        this.offending = offending;
        this.previous = previousToken(tokens, offending);
        this.expected = expectedTokens(parser);
        this.unclosedBracket = offending == null ? null : joiner.unclosedBracketAt(offending);
        this.unmatchedBracket = offending != null && joiner.isUnmatched(offending);
    }

    Diagnostic diagnostic() {
        Diagnostic habit = HabitHints.syntaxError(source, tokens, previous, offending);
        if (habit != null) {
            return habit;
        }
        if (endsStatement(offending) && previous != null) {
            int column = previous.getCharPositionInLine() + codePoints(previous.getText()) + 1;
            return Diagnostic.error(source, previous.getLine(), column, 1, message());
        }
        if (offending == null || offending.getType() == Token.EOF) {
            return Diagnostic.error(source, Math.max(1, source.lineCount()), 1, 1, message());
        }
        return Diagnostic.error(source, offending.getLine(), offending.getCharPositionInLine() + 1,
                codePoints(offending.getText()), message());
    }

    private String message() {
        if (unclosedBracket != null && (expected.contains(NetworkLexer.RPAREN) || expected.contains(NetworkLexer.RBRACK))) {
            String open = unclosedBracket.getText();
            return "missing '" + (open.equals("(") ? ")" : "]") + "' to close the '" + open + "' at line "
                    + unclosedBracket.getLine() + ", column " + (unclosedBracket.getCharPositionInLine() + 1);
        }
        if (unmatchedBracket) {
            String close = offending.getText();
            return "unmatched '" + close + "': no '" + (close.equals(")") ? "(" : "[") + "' before it is open";
        }
        if (offending != null && isKeyword(offending.getType()) && expected.contains(NetworkLexer.IDENT)) {
            return "'" + offending.getText() + "' is a keyword and cannot be used as a name";
        }
        String wanted = describeExpected(expected);
        String after = previous == null ? "" : " after '" + previous.getText() + "'";
        String found = describe(offending);
        if (wanted.isEmpty()) {
            return "unexpected " + found + after;
        }
        String message = "expected " + wanted + after + ", found " + found;
        if (previous != null && previous.getType() == NetworkLexer.COMMA && endsStatement(offending)) {
            message += " (a list cannot end with ',')";
        } else if (is(previous, NetworkLexer.ASSIGN) && is(offending, NetworkLexer.ASSIGN)) {
            message += " ('==' is not an operator of the language)";
        } else if (is(offending, NetworkLexer.IDENT) && expected.contains(NetworkLexer.NUMBER)
                && !expected.contains(NetworkLexer.IDENT)) {
            message += " (a declared value is a number; compute one with a definition, name = expression)";
        } else if (offending != null && isKeyword(offending.getType())
                && (expected.contains(NetworkLexer.NEWLINE) || expected.contains(Token.EOF))) {
            message += "; a new statement starts on a new line or after ';'";
        }
        return message;
    }

    /** The token before {@code t} in the statement, or null at the start of a statement. */
    private static Token previousToken(TokenStream tokens, Token t) {
        if (t == null || t.getTokenIndex() <= 0) {
            return null;
        }
        Token p = tokens.get(t.getTokenIndex() - 1);
        return p.getType() == NetworkLexer.NEWLINE || p.getType() == NetworkLexer.SEMI ? null : p;
    }

    private static IntervalSet expectedTokens(Parser parser) {
        try {
            return parser.getExpectedTokens();
        } catch (RuntimeException notComputable) {
            return new IntervalSet();
        }
    }

    private static boolean is(Token t, int type) {
        return t != null && t.getType() == type;
    }

    private static boolean endsStatement(Token t) {
        return t == null || t.getType() == Token.EOF || t.getType() == NetworkLexer.NEWLINE
                || t.getType() == NetworkLexer.SEMI;
    }

    private static int codePoints(String s) {
        return Math.max(1, s.codePointCount(0, s.length()));
    }

    static String describe(Token t) {
        if (t == null || t.getType() == Token.EOF) {
            return "end of file";
        }
        return switch (t.getType()) {
            case NetworkLexer.NEWLINE -> "end of line";
            case NetworkLexer.NUMBER -> "number '" + t.getText() + "'";
            case NetworkLexer.IDENT -> "name '" + t.getText() + "'";
            default -> isKeyword(t.getType()) ? "keyword '" + t.getText() + "'" : "'" + t.getText() + "'";
        };
    }

    private static boolean isKeyword(int type) {
        return type == NetworkLexer.INPUT || type == NetworkLexer.TARGET || type == NetworkLexer.WEIGHT
                || type == NetworkLexer.BIAS || type == NetworkLexer.CONST || type == NetworkLexer.LOSS
                || type == NetworkLexer.FUNCTION;
    }

    /** What the parser wanted, in a user's words, most telling first, at most four items. */
    static String describeExpected(IntervalSet set) {
        boolean statement = set.contains(NetworkLexer.WEIGHT) && set.contains(NetworkLexer.LOSS);
        boolean expression = set.contains(NetworkLexer.IDENT) && set.contains(NetworkLexer.NUMBER);
        boolean operator = set.contains(NetworkLexer.STAR) && set.contains(NetworkLexer.PLUS);
        List<String> words = new ArrayList<>();
        if (statement) {
            words.add("a declaration or a definition");
        } else if (expression) {
            words.add("an expression");
        } else {
            addIf(words, set.contains(NetworkLexer.IDENT), "a name");
            addIf(words, set.contains(NetworkLexer.NUMBER), "a number");
            addIf(words, set.contains(NetworkLexer.LPAREN), "'('");
        }
        addIf(words, operator, "an operator");
        addIf(words, set.contains(NetworkLexer.COMMA), "','");
        addIf(words, set.contains(NetworkLexer.RPAREN), "')'");
        addIf(words, set.contains(NetworkLexer.RBRACK), "']'");
        addIf(words, set.contains(NetworkLexer.ASSIGN), "'='");
        addIf(words, !statement && (set.contains(NetworkLexer.NEWLINE) || set.contains(Token.EOF)),
                "end of statement");
        if (words.size() > 4) {
            words = words.subList(0, 4);
        }
        if (words.size() <= 1) {
            return words.isEmpty() ? "" : words.get(0);
        }
        return String.join(", ", words.subList(0, words.size() - 1)) + " or " + words.get(words.size() - 1);
    }

    private static void addIf(List<String> words, boolean condition, String word) {
        if (condition) {
            words.add(word);
        }
    }
}
