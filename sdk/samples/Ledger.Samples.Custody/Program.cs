// Placeholder until the SDK client lands (SDK issue).
Console.WriteLine("Ledger custody sample: not written yet.");
return 0;
