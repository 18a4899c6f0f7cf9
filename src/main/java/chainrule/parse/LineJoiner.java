package chainrule.parse;

import chainrule.diag.Diagnostic;
import chainrule.diag.Source;
import chainrule.parse.antlr.NetworkLexer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.CommonToken;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenFactory;
import org.antlr.v4.runtime.TokenSource;

/**
 * The scanner's second half, between the lexer and the parser, so the grammar needs no embedded
 * code. It
 * <ul>
 *   <li>joins continued lines: a newline inside parentheses or brackets, or after a binary operator,
 *       a comma, {@code =} or an open bracket, is not a statement end — unless the next line
 *       plainly starts a statement (a keyword, or {@code name =}): then the previous statement was
 *       left unfinished, and ending it there lets the parser say so on the right line instead of
 *       stumbling over the next statement;</li>
 *   <li>remembers, for such an early statement end, which bracket was left open, so the parser
 *       front end can say "missing ')'";</li>
 *   <li>reports characters that start no token ("unexpected character") and malformed numbers
 *       ({@code 1.2.3}), once each;</li>
 *   <li>enforces the nesting limit (brackets, runs of unary operators, {@code ^} chains) before the
 *       recursive-descent parser can overflow its stack: past the limit it reports one error and
 *       ends the token stream.</li>
 * </ul>
 */
final class LineJoiner implements TokenSource {
    private final NetworkLexer lexer;
    private final Source source;
    private final List<Diagnostic> diagnostics;
    private final Set<Integer> linesWithErrors;
    private final int maxNesting;
    /** Tokens read ahead from the lexer, to decide whether a newline ends a statement. */
    private final List<Token> lookahead = new ArrayList<>();
    private final Deque<Token> openBrackets = new ArrayDeque<>();
    private final Map<Token, Token> unclosedAt = new IdentityHashMap<>();
    private final Set<Token> unmatched = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    private int chain;
    private int previousType = -1;
    private Token previousToken;
    private boolean stopped;
    private Token eof;

    /**
     * @param linesWithErrors lines already reported, shared with the parser's listener so that an
     *                        unexpected character does not also cause a syntax error on its line
     */
    LineJoiner(NetworkLexer lexer, Source source, List<Diagnostic> diagnostics, Set<Integer> linesWithErrors,
               int maxNesting) {
        this.lexer = lexer;
        this.source = source;
        this.diagnostics = diagnostics;
        this.linesWithErrors = linesWithErrors;
        this.maxNesting = maxNesting;
    }

    /** Whether the token stream was cut short by a limit (then parse errors after it are noise). */
    boolean stopped() { return stopped; }

    /** The bracket still open where {@code statementEnd} (a newline or end of file) ended a statement, or null. */
    Token unclosedBracketAt(Token statementEnd) {
        return unclosedAt.get(statementEnd);
    }

    /** Whether {@code closing} is a ')' or ']' with no open bracket before it in its statement. */
    boolean isUnmatched(Token closing) {
        return unmatched.contains(closing);
    }

    @Override
    public Token nextToken() {
        if (stopped) {
            return endOfFile();
        }
        while (true) {
            Token t = take();
            int type = t.getType();
            switch (type) {
                case NetworkLexer.UNEXPECTED_CHAR -> {
                    unexpectedCharacter(t);
                    continue;
                }
                case NetworkLexer.MALFORMED_NUMBER -> {
                    report(t, t.getText().length(), "malformed number '" + t.getText() + "'");
                    ((CommonToken) t).setType(NetworkLexer.NUMBER);
                }
                case NetworkLexer.NEWLINE -> {
                    boolean continued = !openBrackets.isEmpty() || continuesLine(previousType);
                    if (continued && !nextLineStartsStatement()) {
                        continue;
                    }
                    endStatement(t);
                }
                case Token.EOF -> endStatement(t);
                case NetworkLexer.LPAREN, NetworkLexer.LBRACK -> openBrackets.push(t);
                case NetworkLexer.RPAREN, NetworkLexer.RBRACK -> {
                    if (openBrackets.poll() == null) {
                        unmatched.add(t);
                    }
                }
                case NetworkLexer.CARET -> chain++;
                case NetworkLexer.PLUS, NetworkLexer.MINUS -> {
                    if (isOperandEnd(previousType)) {
                        chain = 0; // binary + or -
                    } else {
                        chain++; // unary
                    }
                }
                case NetworkLexer.STAR, NetworkLexer.SLASH, NetworkLexer.AT, NetworkLexer.COMMA,
                        NetworkLexer.SEMI, NetworkLexer.ASSIGN -> chain = 0;
                default -> { }
            }
            if (openBrackets.size() + chain > maxNesting) {
                diagnostics.add(Diagnostic.error(source, t.getLine(), t.getCharPositionInLine() + 1, 1,
                        "expression nested too deeply (more than " + maxNesting
                                + " levels of brackets, unary signs or '^'); raise the limit with --max-nesting"));
                stopped = true;
                return endOfFile();
            }
            if (type != Token.EOF) {
                previousType = type;
                previousToken = t;
            }
            return t;
        }
    }

    private void report(Token t, int length, String message) {
        report(Diagnostic.error(source, t.getLine(), t.getCharPositionInLine() + 1, length, message));
    }

    private void report(Diagnostic d) {
        linesWithErrors.add(d.line());
        diagnostics.add(d);
    }

    /**
     * A character that starts no token. A prime right after a name ({@code h'}, {@code 들'2}) is
     * reported once for the whole name, with a name to write instead; a character pasted from a
     * paper ({@code ×}, {@code −}, {@code ²}) with its plain spelling (see {@link HabitHints}).
     */
    private void unexpectedCharacter(Token t) {
        Diagnostic d = Diagnostic.error(source, t.getLine(), t.getCharPositionInLine() + 1, 1,
                "unexpected character " + describe(t.getText()));
        if (HabitHints.isPrime(t.getText()) && previousToken != null && previousType == NetworkLexer.IDENT
                && HabitHints.adjacent(previousToken, t)) {
            int primes = 1;
            Token last = t;
            while (peek(0).getType() == NetworkLexer.UNEXPECTED_CHAR && HabitHints.isPrime(peek(0).getText())
                    && HabitHints.adjacent(last, peek(0))) {
                last = lookahead.remove(0);
                primes++;
            }
            String rest = "";
            Token next = peek(0);
            if ((next.getType() == NetworkLexer.IDENT || next.getType() == NetworkLexer.NUMBER)
                    && HabitHints.adjacent(last, next)) {
                rest = next.getText();
            }
            report(d.withHelp(HabitHints.primeHelp(previousToken.getText(), rest, primes)));
            return;
        }
        String help = HabitHints.characterHelp(t.getText());
        report(help == null ? d : d.withHelp(help));
    }

    /** A statement ends at {@code end}: remember any bracket left open, and start afresh. */
    private void endStatement(Token end) {
        if (!openBrackets.isEmpty()) {
            unclosedAt.put(end, openBrackets.peek());
        }
        openBrackets.clear();
        chain = 0;
    }

    private Token take() {
        return lookahead.isEmpty() ? lexer.nextToken() : lookahead.remove(0);
    }

    /** The {@code k}-th (0-based) coming token, read ahead from the lexer. */
    private Token peek(int k) {
        while (lookahead.size() <= k) {
            lookahead.add(lexer.nextToken());
        }
        return lookahead.get(k);
    }

    /**
     * Whether what follows can only be a new statement: a keyword, {@code name =}, or the end of
     * the file. None of these can continue an expression. Blank and comment-only lines in between
     * are dropped here (the newline being decided stands for them all), so the look-ahead stays two
     * tokens long however many there are.
     */
    private boolean nextLineStartsStatement() {
        while (peek(0).getType() == NetworkLexer.NEWLINE) {
            lookahead.remove(0);
        }
        return switch (peek(0).getType()) {
            case Token.EOF, NetworkLexer.INPUT, NetworkLexer.TARGET, NetworkLexer.WEIGHT, NetworkLexer.BIAS,
                    NetworkLexer.CONST, NetworkLexer.LOSS, NetworkLexer.FUNCTION -> true;
            case NetworkLexer.IDENT -> peek(1).getType() == NetworkLexer.ASSIGN;
            default -> false;
        };
    }

    private Token endOfFile() {
        if (eof == null) {
            CommonToken t = new CommonToken(Token.EOF, "<EOF>");
            t.setLine(lexer.getLine());
            t.setCharPositionInLine(lexer.getCharPositionInLine());
            eof = t;
        }
        return eof;
    }

    /** Tokens after which a line break does not end the statement. */
    private static boolean continuesLine(int type) {
        return switch (type) {
            case NetworkLexer.PLUS, NetworkLexer.MINUS, NetworkLexer.STAR, NetworkLexer.SLASH,
                    NetworkLexer.CARET, NetworkLexer.AT, NetworkLexer.COMMA, NetworkLexer.ASSIGN,
                    NetworkLexer.LPAREN, NetworkLexer.LBRACK -> true;
            default -> false;
        };
    }

    /** Tokens that can end an operand, so a following + or - is binary. */
    private static boolean isOperandEnd(int type) {
        return type == NetworkLexer.IDENT || type == NetworkLexer.NUMBER
                || type == NetworkLexer.RPAREN || type == NetworkLexer.RBRACK;
    }

    static String describe(String text) {
        int cp = text.codePointAt(0);
        if (cp < 0x20 || cp == 0x7F || Character.isISOControl(cp) || Character.isWhitespace(cp)
                || Character.getType(cp) == Character.FORMAT || cp == 0xFFFD) {
            return String.format("U+%04X", cp);
        }
        return "'" + text + "' (U+" + String.format("%04X", cp) + ")";
    }

    @Override public int getLine() { return lexer.getLine(); }

    @Override public int getCharPositionInLine() { return lexer.getCharPositionInLine(); }

    @Override public CharStream getInputStream() { return lexer.getInputStream(); }

    @Override public String getSourceName() { return lexer.getSourceName(); }

    @Override public void setTokenFactory(TokenFactory<?> factory) { lexer.setTokenFactory(factory); }

    @Override public TokenFactory<?> getTokenFactory() { return lexer.getTokenFactory(); }
}
