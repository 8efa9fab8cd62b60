; Hotline Desk NSIS hooks, included by electron-builder (electron-builder.yml: nsis.include).
;
; IT deploys the per-machine installer silently and presets the backend in one step:
;
;   热线坐席-Setup-<version>.exe /S /SERVER=https://hotline.example.gov.cn:8443
;
; which writes "$INSTDIR\server-url.txt" beside the executable. The app reads it at every start
; (src/main/services/settings.ts) and uses it until the agent saves a server in the app.
;
; An update (electron-updater, or IT re-running a newer installer without /SERVER=) first runs
; the old uninstaller, which deletes $INSTDIR with the preset in it. So customInit remembers the
; existing preset (initMultiUser has already pointed $INSTDIR at the previous install by then)
; and customInstall writes it back, unless a new /SERVER= replaces it.
;
; Only the installer uses these; in the uninstaller build they are left undefined, which also
; keeps NSIS from warning about an unused variable (electron-builder treats warnings as errors).

!ifndef BUILD_UNINSTALLER
  !include FileFunc.nsh
  !include TextFunc.nsh
  !include LogicLib.nsh

  Var HotlinePresetUrl

  !macro customInit
    StrCpy $HotlinePresetUrl ""
    ${GetParameters} $R0
    ClearErrors
    ${GetOptions} $R0 "/SERVER=" $R1
    ${IfNot} ${Errors}
    ${AndIf} $R1 != ""
      StrCpy $HotlinePresetUrl $R1
    ${ElseIf} ${FileExists} "$INSTDIR\server-url.txt"
      ClearErrors
      FileOpen $R2 "$INSTDIR\server-url.txt" r
      ${IfNot} ${Errors}
        FileRead $R2 $R1
        FileClose $R2
        ${TrimNewLines} $R1 $R1
        StrCpy $HotlinePresetUrl $R1
      ${EndIf}
    ${EndIf}
  !macroend

  !macro customInstall
    ${If} $HotlinePresetUrl != ""
      ClearErrors
      FileOpen $R2 "$INSTDIR\server-url.txt" w
      ${IfNot} ${Errors}
        FileWrite $R2 "$HotlinePresetUrl$\r$\n"
        FileClose $R2
        DetailPrint "Preset server: $HotlinePresetUrl"
      ${Else}
        DetailPrint "Could not write $INSTDIR\server-url.txt"
      ${EndIf}
    ${EndIf}
  !macroend
!endif
