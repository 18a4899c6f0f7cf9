package chainrule.cli;

import picocli.CommandLine.Parameters;

/** The {@code FILE} argument every network command takes ({@code -} for standard input). */
final class NetworkFile {
    @Parameters(index = "0", paramLabel = "FILE", description = "The .nn file, or - for standard input.")
    String file;
}
