package chainrule.parse;

import chainrule.parse.antlr.NetworkLexer;
import chainrule.parse.antlr.NetworkParser;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * ANTLR's error recovery, except between statements. When a statement is followed by something
 * other than its end ({@code weight w = 0.5 input x = 1}), ANTLR's default gives up on the rest of
 * the file, because the top rule's only recovery point is the end of the file; here the error is
 * reported and parsing resumes at the next line, so later errors are reported in the same run.
 */
final class StatementRecovery extends DefaultErrorStrategy {
    private static final IntervalSet STATEMENT_ENDS = IntervalSet.of(NetworkLexer.NEWLINE);

    static {
        STATEMENT_ENDS.add(NetworkLexer.SEMI);
        STATEMENT_ENDS.add(Token.EOF);
    }

    @Override
    public void sync(Parser parser) throws RecognitionException {
        try {
            super.sync(parser);
        } catch (RecognitionException e) {
            if (parser.getContext().getRuleIndex() != NetworkParser.RULE_file) {
                throw e;
            }
            reportError(parser, e);
            consumeUntil(parser, STATEMENT_ENDS);
            endErrorCondition(parser);
        }
    }
}
