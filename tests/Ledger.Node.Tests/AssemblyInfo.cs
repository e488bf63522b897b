// The node tests check Unix file modes and send POSIX signals (kill -TERM): they run on Linux and macOS only.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
