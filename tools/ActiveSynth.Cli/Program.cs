using ActiveSynth.Cli;

return await CliApp.RunAsync(args);
