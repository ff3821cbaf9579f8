package dev.mycelium.serve;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.mycelium.protocol.MailText;
import dev.mycelium.protocol.MyceliumHome;

/**
 * Reads the Claude Code session's transcript as it grows, for what the inbox socket
 * cannot say: Claude Code writes a {@code queue-operation enqueue} line when a frame
 * arrives, and a line carrying the frame's {@code msg_id} once the message is in the
 * conversation, that is, in what the model reads. Transcripts live in
 * {@code <config>/projects/<project>/<session id>.jsonl}; a session that continues
 * another one writes to that one's file, so every transcript of the project directory
 * that grew since a delivery is read, from where it was when the delivery went out.
 */
final class TranscriptWatch {

	private static final long MAX_READ = 4 * 1024 * 1024;

	private static final Pattern FRAME_ID = Pattern.compile("\"msg_id\":\"([0-9a-fA-F-]{36})\"");

	private static final Pattern SESSION_ID = Pattern.compile("\"sessionId\":\"([^\"]{1,100})\"");

	/**
	 * What the transcripts gained since the last look, each with the Claude Code session
	 * id of its line ({@code ""} where the line names none): several sessions of one
	 * project write beside each other, and a broadcast is queued in each of them.
	 *
	 * @param inConversation frame ids that entered a conversation, with its session
	 * @param enqueued message ids queued, with the sessions they were queued in
	 */
	record Evidence(Map<String, String> inConversation, Map<String, Set<String>> enqueued, boolean transcriptFound) {
	}

	private final Path projects;

	private final String sessionId;

	private final Path projectDirectory;

	/** Where each transcript was read up to, and the partial line after that. */
	private final Map<Path, Long> offsets = new HashMap<>();

	private Path directory;

	/**
	 * @param claudeConfig Claude Code's configuration directory ({@code ~/.claude}, or
	 * {@code CLAUDE_CONFIG_DIR})
	 * @param sessionId the session id Claude Code gave this serve
	 * @param projectDirectory the session's project directory
	 */
	TranscriptWatch(Path claudeConfig, String sessionId, Path projectDirectory) {
		this.projects = claudeConfig.resolve("projects");
		this.sessionId = sessionId;
		this.projectDirectory = projectDirectory;
	}

	static TranscriptWatch of(Map<String, String> environment, Path workingDirectory) {
		String config = environment.get("CLAUDE_CONFIG_DIR");
		Path claudeConfig = config != null && !config.isBlank() ? Path.of(config)
				: MyceliumHome.userHome(environment).resolve(".claude");
		String project = environment.get("CLAUDE_PROJECT_DIR");
		return new TranscriptWatch(claudeConfig, environment.get("CLAUDE_CODE_SESSION_ID"),
				project != null && !project.isBlank() ? Path.of(project) : workingDirectory);
	}

	/**
	 * Notes where every transcript ends now, before a delivery goes out: what it causes
	 * is written after that.
	 */
	synchronized void mark() {
		for (Path transcript : transcripts()) {
			offsets.putIfAbsent(transcript, size(transcript));
		}
	}

	/** Reads what was added to the transcripts since the last look. */
	synchronized Evidence scan() {
		Map<String, String> inConversation = new HashMap<>();
		Map<String, Set<String>> enqueued = new HashMap<>();
		List<Path> transcripts = transcripts();
		for (Path transcript : transcripts) {
			long from = offsets.getOrDefault(transcript, 0L);
			long size = size(transcript);
			if (size < from) {
				// Rewritten shorter (compacted, replaced): read it again from its start.
				from = 0;
			}
			if (size <= from) {
				continue;
			}
			// A transcript grows by a few lines per turn; cap what one look reads all the
			// same.
			long start = Math.max(from, size - MAX_READ);
			String added = read(transcript, start, size);
			// Only whole lines: a line still being written is read again next time.
			int end = added.lastIndexOf('\n');
			if (end < 0) {
				continue;
			}
			offsets.put(transcript, start + added.substring(0, end + 1).getBytes(StandardCharsets.UTF_8).length);
			for (String line : added.substring(0, end).split("\n")) {
				if (line.contains("\"msg_id\"")) {
					String session = sessionOf(line);
					Matcher frame = FRAME_ID.matcher(line);
					while (frame.find()) {
						inConversation.put(frame.group(1).toLowerCase(), session);
					}
				}
				if (line.contains("\"queue-operation\"") && line.contains("\"enqueue\"")) {
					String session = sessionOf(line);
					MailText.messageIds(line)
						.forEach(id -> enqueued.computeIfAbsent(id, key -> new HashSet<>()).add(session));
				}
			}
		}
		return new Evidence(inConversation, enqueued, !transcripts.isEmpty());
	}

	/** The session id Claude Code gave this serve, or null. */
	String sessionId() {
		return sessionId == null || sessionId.isBlank() ? null : sessionId;
	}

	private static String sessionOf(String line) {
		Matcher session = SESSION_ID.matcher(line);
		return session.find() ? session.group(1) : "";
	}

	/** The project's transcripts: the directory that holds this session's, found once. */
	private List<Path> transcripts() {
		Path found = directory();
		if (found == null) {
			return List.of();
		}
		try (Stream<Path> files = Files.list(found)) {
			return files.filter(file -> file.getFileName().toString().endsWith(".jsonl")).toList();
		}
		catch (IOException ex) {
			return List.of();
		}
	}

	private Path directory() {
		if (directory != null) {
			return directory;
		}
		if (sessionId != null && !sessionId.isBlank() && Files.isDirectory(projects)) {
			try (DirectoryStream<Path> projectDirectories = Files.newDirectoryStream(projects, Files::isDirectory)) {
				for (Path candidate : projectDirectories) {
					if (Files.exists(candidate.resolve(sessionId + ".jsonl"))) {
						directory = candidate;
						return directory;
					}
				}
			}
			catch (IOException ex) {
				// not readable: try the name Claude Code derives from the directory
			}
		}
		// Claude Code names a project's folder after its path, every other character a
		// '-'.
		Path derived = projects.resolve(projectDirectory.toString().replaceAll("[^A-Za-z0-9]", "-"));
		directory = Files.isDirectory(derived) ? derived : null;
		return directory;
	}

	private static long size(Path file) {
		try {
			return Files.size(file);
		}
		catch (IOException ex) {
			return 0;
		}
	}

	private static String read(Path file, long from, long to) {
		try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
			byte[] bytes = new byte[(int) (to - from)];
			in.seek(from);
			in.readFully(bytes);
			return new String(bytes, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			return "";
		}
	}

}
