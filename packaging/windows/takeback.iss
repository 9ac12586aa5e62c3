; Inno Setup script for Takeback's Windows installer. Compiled by packaging/build.py, which passes every name
; and version from desktop/about.py with /D, so nothing here is retyped:
;   AppName AppId AppVersion AppGuid GuiExe ConsoleExe SourceDir OutputDir OutputBaseFilename IconFile [Sign]
; With Sign defined, ISCC signs the installer and its uninstaller through the "takeback" sign tool that
; build.py defines with /S (signtool, SHA-256, RFC 3161 timestamp).

#ifndef AppName
  #error Compile this script with packaging/build.py: it passes the app's name, version and paths.
#endif

[Setup]
AppId={{{#AppGuid}}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per-user by default: no administrator needed, so a young person on a family computer can install it. The
; dialog (or /ALLUSERS) still offers an all-users install to someone who can approve it.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=commandline dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
SourceDir={#SourceDir}
OutputDir={#OutputDir}
OutputBaseFilename={#OutputBaseFilename}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; The app's icon (packaging/icons.py renders it from desktop/resources/takeback.svg), on the installer itself.
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\{#GuiExe}
UninstallDisplayName={#AppName}
CloseApplications=yes
#ifdef Sign
SignTool=takeback
SignedUninstaller=yes
#endif

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
; Off by default: on a shared or watched computer, an icon on the desktop tells others the app is there.
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole PyInstaller folder: both programs and the libraries they share.
Source: "*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#GuiExe}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#GuiExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#GuiExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only the program folder: the app keeps nothing of a person's files or case anywhere unless they chose to save
; it, and what they saved is theirs to keep.
Type: filesandordirs; Name: "{app}"
