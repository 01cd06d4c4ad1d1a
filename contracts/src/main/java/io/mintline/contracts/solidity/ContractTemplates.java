package io.mintline.contracts.solidity;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Solidity contracts generated from templates, built on the pinned OpenZeppelin Contracts 5.x
 * (imported from {@code @openzeppelin/contracts/}, which compiles resolve to the npm package in
 * the repository, never to the network). Options are validated strictly: an unknown template or
 * option, a wrong type or an out-of-range value is refused by name. Every template under every
 * option combination compiles without warnings with the pinned compiler (a test checks it).
 *
 * <ul>
 *   <li>{@code soulbound-erc721}: ERC-721 + ERC-5192 ({@code locked} is always true, {@code Locked}
 *       is emitted at mint, transfers, burns and approvals revert), {@code mint(to, tokenId, uri)}
 *       for the owner or the minter role; option {@code idempotentMint} adds an external id (a tip
 *       id) to {@code mint}, and a second mint of the same id reverts.
 *   <li>{@code tip-jar}: payable {@code tip(creator, memo)} credits the creator and emits
 *       {@code Tip(fan, creator, amount, memo)}; creators pull their balance with
 *       {@code withdraw()} (checks-effects-interactions behind a reentrancy guard); option
 *       {@code minTipWei}.
 *   <li>{@code erc20}: OpenZeppelin Wizard's common options: {@code mintable}, {@code burnable},
 *       {@code pausable}, {@code permit}, {@code capped} (with {@code cap}), {@code premint}, and
 *       {@code access} {@code ownable} or {@code roles}.
 * </ul>
 */
public final class ContractTemplates {
  /** The pragma of every generated file: the newest OpenZeppelin 5.x files need 0.8.24+; the Wizard's 0.8.27. */
  public static final String PRAGMA = "^0.8.27";
  private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9]{0,63}");
  private static final Pattern SYMBOL = Pattern.compile("[A-Za-z0-9]{1,11}");
  private static final Pattern UINT = Pattern.compile("[0-9]{1,78}");
  private static final BigInteger UINT256_MAX = BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE);
  /** Whole tokens are scaled by 10^18; this keeps the scaled amount inside uint256 with room to spare. */
  private static final BigInteger MAX_WHOLE_TOKENS = BigInteger.TEN.pow(50);
  /** Names a contract may not take: what the generated files import or declare, and Solidity's keywords. */
  private static final Set<String> RESERVED = Set.of(
      "ERC20", "ERC20Burnable", "ERC20Pausable", "ERC20Permit", "ERC20Capped", "ERC721", "ERC721URIStorage",
      "Ownable", "AccessControl", "ReentrancyGuard", "IERC5192", "IERC721", "IERC165", "Context", "ERC165",
      "IERC721Metadata", "ERC721Utils", "IERC721Errors",
      "contract", "interface", "library", "function", "modifier", "event", "error", "struct", "enum", "mapping",
      "address", "bool", "string", "bytes", "uint", "int", "import", "pragma", "return", "returns", "public",
      "private", "internal", "external", "pure", "view", "payable", "constant", "immutable", "override",
      "virtual", "abstract", "is", "new", "delete", "emit", "revert", "require", "assert", "this", "super",
      "true", "false", "if", "else", "for", "while", "do", "break", "continue", "try", "catch", "assembly",
      "unchecked", "using", "type", "memory", "storage", "calldata", "constructor", "fallback", "receive",
      "anonymous", "indexed", "var", "let", "after", "case", "default", "final", "in", "inline", "match",
      "null", "of", "relocatable", "static", "switch", "typeof", "transient", "selfdestruct", "block", "msg", "tx");

  /** The kind of value an option takes. */
  public enum OptionType { BOOLEAN, UINT, SYMBOL, ACCESS }

  /** One option of a template, with its default. */
  public record Option(String name, OptionType type, Object defaultValue, String meaning) {}

  /** Generated sources and the fully qualified name of the contract to deploy ({@code File.sol:Name}). */
  public record Generated(SortedMap<String, String> sources, String mainContract) {}

  private static final Map<String, List<Option>> TEMPLATES = new LinkedHashMap<>();

  static {
    TEMPLATES.put("soulbound-erc721", List.of(
        new Option("symbol", OptionType.SYMBOL, "SBT", "token symbol, 1 to 11 letters or digits"),
        new Option("access", OptionType.ACCESS, "ownable", "who may mint: ownable (one owner) or roles (MINTER_ROLE)"),
        new Option("idempotentMint", OptionType.BOOLEAN, false,
            "mint takes an external id (e.g. a tip id); a second mint of the same id reverts")));
    TEMPLATES.put("tip-jar", List.of(
        new Option("minTipWei", OptionType.UINT, BigInteger.ZERO, "smallest tip accepted, in wei (0: any tip above zero)")));
    TEMPLATES.put("erc20", List.of(
        new Option("symbol", OptionType.SYMBOL, "TKN", "token symbol, 1 to 11 letters or digits"),
        new Option("premint", OptionType.UINT, BigInteger.ZERO, "whole tokens minted to a recipient at deployment"),
        new Option("mintable", OptionType.BOOLEAN, false, "privileged accounts can mint more"),
        new Option("burnable", OptionType.BOOLEAN, false, "holders can burn their tokens"),
        new Option("pausable", OptionType.BOOLEAN, false, "privileged accounts can pause transfers"),
        new Option("permit", OptionType.BOOLEAN, false, "EIP-2612 gasless approvals"),
        new Option("capped", OptionType.BOOLEAN, false, "total supply never exceeds cap"),
        new Option("cap", OptionType.UINT, BigInteger.ZERO, "the cap in whole tokens (required when capped)"),
        new Option("access", OptionType.ACCESS, "ownable", "ownable (one owner) or roles (MINTER_ROLE, PAUSER_ROLE)")));
  }

  private ContractTemplates() {}

  public static Set<String> names() {
    return TEMPLATES.keySet();
  }

  public static List<Option> options(String template) {
    List<Option> options = TEMPLATES.get(template);
    if (options == null) throw unknownTemplate(template);
    return options;
  }

  /**
   * Generates {@code template} named {@code name} with {@code options} (a JSON object or null).
   *
   * @throws SolidityInputException naming the unknown template, the unknown option or the bad value
   */
  public static Generated generate(String template, String name, JsonNode options) {
    if (template == null) throw invalid("\"template\" is required; templates: " + String.join(", ", TEMPLATES.keySet()));
    List<Option> known = TEMPLATES.get(template);
    if (known == null) throw unknownTemplate(template);
    if (name == null || !NAME.matcher(name).matches()) {
      throw invalid("name must be 1 to 64 letters or digits starting with a letter (it becomes the contract's name)");
    }
    if (RESERVED.contains(name)) throw invalid("name \"" + name + "\" is reserved: it is a Solidity keyword or a name the template uses");
    Map<String, Object> values = values(template, known, options);
    String code = switch (template) {
      case "soulbound-erc721" -> soulbound(name, values);
      case "tip-jar" -> tipJar(name, values);
      case "erc20" -> erc20(name, values);
      default -> throw unknownTemplate(template);
    };
    SortedMap<String, String> sources = new TreeMap<>();
    sources.put(name + ".sol", code);
    return new Generated(sources, name + ".sol:" + name);
  }

  private static Map<String, Object> values(String template, List<Option> known, JsonNode options) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (Option o : known) values.put(o.name(), o.defaultValue());
    if (options == null || options.isNull()) return values;
    if (!options.isObject()) throw invalid("options must be a JSON object");
    for (Iterator<Map.Entry<String, JsonNode>> it = options.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> given = it.next();
      Option option = known.stream().filter(o -> o.name().equals(given.getKey())).findFirst().orElseThrow(() ->
          invalid("unknown option \"" + given.getKey() + "\" for template " + template + "; options: "
              + String.join(", ", known.stream().map(Option::name).toList())));
      values.put(option.name(), value(option, given.getValue()));
    }
    if ("erc20".equals(template)) {
      BigInteger cap = (BigInteger) values.get("cap"), premint = (BigInteger) values.get("premint");
      if ((Boolean) values.get("capped")) {
        if (cap.signum() == 0) throw invalid("option \"cap\" must be above 0 when \"capped\" is true");
        if (premint.compareTo(cap) > 0) throw invalid("option \"premint\" (" + premint + ") is above \"cap\" (" + cap + ")");
      } else if (cap.signum() != 0) {
        throw invalid("option \"cap\" is given but \"capped\" is false");
      }
    }
    return values;
  }

  private static Object value(Option option, JsonNode v) {
    String key = "option \"" + option.name() + "\"";
    return switch (option.type()) {
      case BOOLEAN -> {
        if (!v.isBoolean()) throw invalid(key + " must be true or false");
        yield v.booleanValue();
      }
      case SYMBOL -> {
        if (!v.isTextual() || !SYMBOL.matcher(v.asText()).matches()) throw invalid(key + " must be 1 to 11 letters or digits");
        yield v.asText();
      }
      case ACCESS -> {
        if (!v.isTextual() || !Set.of("ownable", "roles").contains(v.asText())) throw invalid(key + " must be \"ownable\" or \"roles\"");
        yield v.asText();
      }
      case UINT -> {
        String text = v.isIntegralNumber() ? v.bigIntegerValue().toString() : v.isTextual() ? v.asText() : "";
        if (!UINT.matcher(text).matches()) throw invalid(key + " must be a non-negative integer (a number or a decimal string)");
        BigInteger n = new BigInteger(text);
        BigInteger max = option.name().equals("minTipWei") ? UINT256_MAX : MAX_WHOLE_TOKENS;
        if (n.compareTo(max) > 0) throw invalid(key + " must be at most " + max);
        yield n;
      }
    };
  }

  // ---- soulbound-erc721 ----

  private static String soulbound(String name, Map<String, Object> o) {
    boolean roles = "roles".equals(o.get("access"));
    boolean idempotent = (Boolean) o.get("idempotentMint");
    String guard = roles ? "onlyRole(MINTER_ROLE)" : "onlyOwner";
    StringBuilder s = new StringBuilder();
    header(s, "soulbound-erc721");
    // Not OpenZeppelin's ERC721: its Strings import pulls in Bytes.sol, whose assembly uses MCOPY
    // (Cancun), and the local EVM node (ganache 7.9) stops at Shanghai. A token that never moves
    // needs none of ERC721's transfer and approval machinery, so the template implements the
    // read side of ERC-721 itself on OpenZeppelin's interfaces, errors, receiver check and access
    // control, all of which compile for Shanghai.
    s.append("import {IERC165, ERC165} from \"@openzeppelin/contracts/utils/introspection/ERC165.sol\";\n");
    s.append("import {IERC721} from \"@openzeppelin/contracts/token/ERC721/IERC721.sol\";\n");
    s.append("import {IERC721Metadata} from \"@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol\";\n");
    s.append("import {ERC721Utils} from \"@openzeppelin/contracts/token/ERC721/utils/ERC721Utils.sol\";\n");
    s.append("import {IERC721Errors} from \"@openzeppelin/contracts/interfaces/draft-IERC6093.sol\";\n");
    s.append(roles ? "import {AccessControl} from \"@openzeppelin/contracts/access/AccessControl.sol\";\n"
        : "import {Ownable} from \"@openzeppelin/contracts/access/Ownable.sol\";\n");
    s.append("""

        /// @notice ERC-5192: minimal soulbound NFTs.
        interface IERC5192 {
            /// @notice Emitted when the locking status is changed to locked.
            event Locked(uint256 tokenId);
            /// @notice Emitted when the locking status is changed to unlocked.
            event Unlocked(uint256 tokenId);
            /// @notice Whether a token is locked (soulbound); reverts for a token that does not exist.
            function locked(uint256 tokenId) external view returns (bool);
        }

        """);
    s.append("/// @notice Soulbound tokens: minted once to an owner, never transferred, approved or burned.\n");
    s.append("contract ").append(name).append(" is ").append(roles ? "AccessControl" : "ERC165, Ownable")
        .append(", IERC721Metadata, IERC721Errors, IERC5192 {\n");
    if (roles) s.append("    bytes32 public constant MINTER_ROLE = keccak256(\"MINTER_ROLE\");\n\n");
    s.append("    /// @notice Transfers, burns and approvals are not possible.\n    error Soulbound();\n");
    if (idempotent) {
      s.append("""
              /// @notice This external id was minted before, as tokenId.
              error AlreadyMinted(bytes32 externalId, uint256 tokenId);

              struct Mint {
                  bool minted;
                  uint256 tokenId;
              }

              mapping(bytes32 externalId => Mint) private _mints;
          """);
    }
    s.append("""

            string private _name;
            string private _symbol;
            mapping(uint256 tokenId => address) private _owners;
            mapping(address owner => uint256) private _balances;
            mapping(uint256 tokenId => string) private _tokenURIs;

        """);
    if (roles) {
      s.append("    constructor(address defaultAdmin, address minter) {\n")
          .append("        _name = \"").append(name).append("\";\n        _symbol = \"").append(o.get("symbol")).append("\";\n")
          .append("        _grantRole(DEFAULT_ADMIN_ROLE, defaultAdmin);\n")
          .append("        _grantRole(MINTER_ROLE, minter);\n    }\n\n");
    } else {
      s.append("    constructor(address initialOwner) Ownable(initialOwner) {\n")
          .append("        _name = \"").append(name).append("\";\n        _symbol = \"").append(o.get("symbol")).append("\";\n    }\n\n");
    }
    if (idempotent) {
      s.append("    /// @notice Mints tokenId to `to` for externalId, at most once per externalId.\n");
      s.append("    function mint(address to, uint256 tokenId, string memory uri, bytes32 externalId) public ")
          .append(guard).append(" {\n")
          .append("""
                      Mint storage previous = _mints[externalId];
                      if (previous.minted) revert AlreadyMinted(externalId, previous.tokenId);
                      _mints[externalId] = Mint(true, tokenId);
                      _mint(to, tokenId, uri);
                  }

                  /// @notice Whether externalId was minted, and as which token.
                  function mintOf(bytes32 externalId) external view returns (bool minted, uint256 tokenId) {
                      Mint storage m = _mints[externalId];
                      return (m.minted, m.tokenId);
                  }

              """);
    } else {
      s.append("    /// @notice Mints tokenId to `to`.\n");
      s.append("    function mint(address to, uint256 tokenId, string memory uri) public ").append(guard).append(" {\n")
          .append("        _mint(to, tokenId, uri);\n    }\n\n");
    }
    s.append("""
            /// @inheritdoc IERC5192
            function locked(uint256 tokenId) external view returns (bool) {
                _requireOwned(tokenId);
                return true;
            }

            function name() external view returns (string memory) {
                return _name;
            }

            function symbol() external view returns (string memory) {
                return _symbol;
            }

            function tokenURI(uint256 tokenId) external view returns (string memory) {
                _requireOwned(tokenId);
                return _tokenURIs[tokenId];
            }

            function balanceOf(address owner) external view returns (uint256) {
                if (owner == address(0)) revert ERC721InvalidOwner(address(0));
                return _balances[owner];
            }

            function ownerOf(uint256 tokenId) external view returns (address) {
                return _requireOwned(tokenId);
            }

            /// @dev No token is ever approved.
            function getApproved(uint256 tokenId) external view returns (address) {
                _requireOwned(tokenId);
                return address(0);
            }

            function isApprovedForAll(address, address) external pure returns (bool) {
                return false;
            }

            function approve(address, uint256) external pure {
                revert Soulbound();
            }

            function setApprovalForAll(address, bool) external pure {
                revert Soulbound();
            }

            function transferFrom(address, address, uint256) external pure {
                revert Soulbound();
            }

            function safeTransferFrom(address, address, uint256) external pure {
                revert Soulbound();
            }

            function safeTransferFrom(address, address, uint256, bytes calldata) external pure {
                revert Soulbound();
            }

            /// @dev Every mint locks: the token never moves afterwards. A contract recipient must accept it.
            function _mint(address to, uint256 tokenId, string memory uri) private {
                if (to == address(0)) revert ERC721InvalidReceiver(address(0));
                if (_owners[tokenId] != address(0)) revert ERC721InvalidSender(address(0));
                _balances[to] += 1;
                _owners[tokenId] = to;
                _tokenURIs[tokenId] = uri;
                emit Transfer(address(0), to, tokenId);
                emit Locked(tokenId);
                ERC721Utils.checkOnERC721Received(_msgSender(), address(0), to, tokenId, "");
            }

            function _requireOwned(uint256 tokenId) private view returns (address owner) {
                owner = _owners[tokenId];
                if (owner == address(0)) revert ERC721NonexistentToken(tokenId);
            }

        """);
    s.append("    function supportsInterface(bytes4 interfaceId)\n        public\n        view\n        override(")
        .append(roles ? "AccessControl" : "ERC165").append(", IERC165)\n        returns (bool)\n    {\n")
        .append("        return interfaceId == type(IERC5192).interfaceId || interfaceId == type(IERC721).interfaceId\n")
        .append("            || interfaceId == type(IERC721Metadata).interfaceId || super.supportsInterface(interfaceId);\n    }\n}\n");
    return s.toString();
  }

  // ---- tip-jar ----

  private static String tipJar(String name, Map<String, Object> o) {
    BigInteger min = (BigInteger) o.get("minTipWei");
    StringBuilder s = new StringBuilder();
    header(s, "tip-jar");
    s.append("import {ReentrancyGuard} from \"@openzeppelin/contracts/utils/ReentrancyGuard.sol\";\n\n");
    s.append("/// @notice Fans tip creators; each creator withdraws their own balance (pull payments).\n");
    s.append("contract ").append(name).append(" is ReentrancyGuard {\n");
    if (min.signum() > 0) {
      s.append("    /// @notice The smallest tip accepted, in wei.\n    uint256 public constant MIN_TIP = ").append(min).append(";\n\n");
    }
    s.append("""
            mapping(address creator => uint256) private _balances;

            /// @notice A fan tipped a creator.
            event Tip(address indexed fan, address indexed creator, uint256 amount, string memo);
            /// @notice A creator withdrew their balance.
            event Withdrawal(address indexed creator, uint256 amount);

            error ZeroCreator();
            error TipTooSmall(uint256 amount, uint256 minimum);
            error NothingToWithdraw();
            error WithdrawalFailed();

            /// @notice Tips `creator` with the value sent; the creator withdraws it later.
            function tip(address creator, string calldata memo) external payable {
                if (creator == address(0)) revert ZeroCreator();
        """);
    s.append(min.signum() > 0
        ? "        if (msg.value < MIN_TIP) revert TipTooSmall(msg.value, MIN_TIP);\n"
        : "        if (msg.value == 0) revert TipTooSmall(0, 1);\n");
    s.append("""
                _balances[creator] += msg.value;
                emit Tip(msg.sender, creator, msg.value, memo);
            }

            /// @notice What `creator` can withdraw.
            function balanceOf(address creator) external view returns (uint256) {
                return _balances[creator];
            }

            /// @notice Sends the caller's whole balance to the caller.
            function withdraw() external nonReentrant {
                uint256 amount = _balances[msg.sender];
                if (amount == 0) revert NothingToWithdraw();
                _balances[msg.sender] = 0;
                (bool sent, ) = payable(msg.sender).call{value: amount}("");
                if (!sent) revert WithdrawalFailed();
                emit Withdrawal(msg.sender, amount);
            }
        }
        """);
    return s.toString();
  }

  // ---- erc20 (the OpenZeppelin Wizard's shape) ----

  private static String erc20(String name, Map<String, Object> o) {
    boolean mintable = (Boolean) o.get("mintable"), burnable = (Boolean) o.get("burnable"),
        pausable = (Boolean) o.get("pausable"), permit = (Boolean) o.get("permit"), capped = (Boolean) o.get("capped");
    BigInteger premint = (BigInteger) o.get("premint"), cap = (BigInteger) o.get("cap");
    // As in the Wizard, access control exists only when something needs guarding.
    boolean guarded = mintable || pausable;
    boolean roles = guarded && "roles".equals(o.get("access"));
    boolean ownable = guarded && !roles;
    StringBuilder s = new StringBuilder();
    header(s, "erc20");
    s.append("import {ERC20} from \"@openzeppelin/contracts/token/ERC20/ERC20.sol\";\n");
    if (burnable) s.append("import {ERC20Burnable} from \"@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol\";\n");
    if (pausable) s.append("import {ERC20Pausable} from \"@openzeppelin/contracts/token/ERC20/extensions/ERC20Pausable.sol\";\n");
    if (capped) s.append("import {ERC20Capped} from \"@openzeppelin/contracts/token/ERC20/extensions/ERC20Capped.sol\";\n");
    if (permit) s.append("import {ERC20Permit} from \"@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol\";\n");
    if (roles) s.append("import {AccessControl} from \"@openzeppelin/contracts/access/AccessControl.sol\";\n");
    if (ownable) s.append("import {Ownable} from \"@openzeppelin/contracts/access/Ownable.sol\";\n");
    List<String> bases = new ArrayList<>(List.of("ERC20"));
    if (burnable) bases.add("ERC20Burnable");
    if (pausable) bases.add("ERC20Pausable");
    if (capped) bases.add("ERC20Capped");
    if (roles) bases.add("AccessControl");
    if (ownable) bases.add("Ownable");
    if (permit) bases.add("ERC20Permit");
    s.append("\ncontract ").append(name).append(" is ").append(String.join(", ", bases)).append(" {\n");
    if (roles && pausable) s.append("    bytes32 public constant PAUSER_ROLE = keccak256(\"PAUSER_ROLE\");\n");
    if (roles && mintable) s.append("    bytes32 public constant MINTER_ROLE = keccak256(\"MINTER_ROLE\");\n");
    if (roles) s.append('\n');
    List<String> params = new ArrayList<>();
    if (premint.signum() > 0) params.add("address recipient");
    if (roles) {
      params.add("address defaultAdmin");
      if (pausable) params.add("address pauser");
      if (mintable) params.add("address minter");
    }
    if (ownable) params.add("address initialOwner");
    s.append("    constructor(").append(String.join(", ", params)).append(")\n");
    s.append("        ERC20(\"").append(name).append("\", \"").append(o.get("symbol")).append("\")\n");
    if (capped) s.append("        ERC20Capped(").append(cap).append(" * 10 ** 18)\n");
    if (ownable) s.append("        Ownable(initialOwner)\n");
    if (permit) s.append("        ERC20Permit(\"").append(name).append("\")\n");
    s.append("    {\n");
    if (premint.signum() > 0) s.append("        _mint(recipient, ").append(premint).append(" * 10 ** decimals());\n");
    if (roles) {
      s.append("        _grantRole(DEFAULT_ADMIN_ROLE, defaultAdmin);\n");
      if (pausable) s.append("        _grantRole(PAUSER_ROLE, pauser);\n");
      if (mintable) s.append("        _grantRole(MINTER_ROLE, minter);\n");
    }
    s.append("    }\n");
    if (pausable) {
      String g = roles ? "onlyRole(PAUSER_ROLE)" : "onlyOwner";
      s.append("\n    function pause() public ").append(g).append(" {\n        _pause();\n    }\n");
      s.append("\n    function unpause() public ").append(g).append(" {\n        _unpause();\n    }\n");
    }
    if (mintable) {
      String g = roles ? "onlyRole(MINTER_ROLE)" : "onlyOwner";
      s.append("\n    function mint(address to, uint256 amount) public ").append(g).append(" {\n        _mint(to, amount);\n    }\n");
    }
    List<String> updateBases = new ArrayList<>();
    if (pausable) updateBases.add("ERC20Pausable");
    if (capped) updateBases.add("ERC20Capped");
    if (!updateBases.isEmpty()) {
      updateBases.add(0, "ERC20");
      s.append("\n    // The following functions are overrides required by Solidity.\n\n");
      s.append("    function _update(address from, address to, uint256 value)\n        internal\n        override(")
          .append(String.join(", ", updateBases)).append(")\n    {\n        super._update(from, to, value);\n    }\n");
    }
    s.append("}\n");
    return s.toString();
  }

  private static void header(StringBuilder s, String template) {
    s.append("// SPDX-License-Identifier: MIT\n");
    s.append("// Generated by Mintline from the ").append(template)
        .append(" template; built on OpenZeppelin Contracts 5.x.\n");
    s.append("pragma solidity ").append(PRAGMA).append(";\n\n");
  }

  private static SolidityInputException unknownTemplate(String template) {
    return invalid("unknown template \"" + template + "\"; templates: " + String.join(", ", TEMPLATES.keySet()));
  }

  private static SolidityInputException invalid(String message) {
    return new SolidityInputException(SolidityInputException.Kind.INVALID, message);
  }
}
