package dev.mycelium.cli;

import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import dev.mycelium.client.BrokerProblem;
import dev.mycelium.client.BrokerUnavailableException;
import dev.mycelium.protocol.DirectMessage;
import dev.mycelium.protocol.MailText;
import dev.mycelium.protocol.Message;
import dev.mycelium.protocol.Peer;

/**
 * A direct message from the person at the terminal. It goes with the token alone, so the
 * broker stamps it {@code cli:<user>}: the CLI never borrows a session's identity.
 */
@Command(name = "send", header = "Send a direct message to a peer, as the person at the terminal.",
		description = {
				"The broker stamps the message cli:<user>, the person at the terminal; no session's "
						+ "identity is borrowed.",
				"Exit code 1 when the peer is unknown or ambiguous, or no broker runs." })
final class SendCommand implements Callable<Integer> {

	@Parameters(index = "0", paramLabel = "<peer>", description = "the peer's name, id, or a unique prefix of its id")
	String peer;

	@Parameters(index = "1..*", arity = "1..*", paramLabel = "<message>",
			description = "the message; several words are joined with spaces")
	List<String> words;

	@Option(names = "--reply-to", paramLabel = "<message-id>", description = "the id of the message this answers")
	String replyTo;

	@Option(names = "--json", description = "print the message as the broker stored it (JSON)")
	boolean json;

	@Mixin
	HelpOption help;

	private final Console console;

	SendCommand(Console console) {
		this.console = console;
	}

	@Spec
	CommandSpec spec;

	@Override
	public Integer call() {
		if (peer.isBlank()) {
			throw new ParameterException(spec.commandLine(), "name the peer: its name, id or a unique id prefix");
		}
		Message sent;
		try {
			sent = console.client().send(peer, new DirectMessage(String.join(" ", words), replyTo), null);
		}
		catch (BrokerUnavailableException ex) {
			throw console.unavailable(ex, ", so nothing was sent");
		}
		catch (BrokerProblem ex) {
			if (ex.status() == 404 && "not_found".equals(ex.code())) {
				// The broker's own sentence points a session at `discover`; at a terminal
				// the list is `mycelium status`.
				throw new CliFailure("No peer named '" + peer
						+ "'; nothing was sent. 'mycelium status' lists the peers: use a name or id from there.");
			}
			if (ex.status() == 401) {
				throw console.refused(ex);
			}
			throw new CliFailure(ex.getMessage() + " Nothing was sent.");
		}
		if (json) {
			console.out.println(console.json().writeValueAsString(sent));
		}
		else {
			console.out.println(
					"Sent to " + sent.to() + " (message " + sent.id() + ") as " + sent.from() + "." + awayNote(sent));
		}
		return 0;
	}

	/**
	 * A name addresses the live session, but an id may name one that left: say so, the
	 * message waits for it.
	 */
	private String awayNote(Message sent) {
		try {
			Peer recipient = console.client().peer(sent.toId());
			return Peer.AWAY.equals(recipient.state()) ? "\n" + MailText.leftNote(recipient.name()) : "";
		}
		catch (RuntimeException ex) {
			return "";
		}
	}

}
