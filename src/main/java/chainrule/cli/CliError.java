package chainrule.cli;

/**
 * A problem the CLI reports without a source position ({@code --wrt} naming no parameter, an
 * unreadable file): printed as {@code chainrule: error: MESSAGE}, exit status 1.
 */
final class CliError extends Exception {
    CliError(String message) {
        super(message, null, false, false);
    }
}
