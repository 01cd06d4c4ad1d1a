pragma solidity ^0.4.24;

contract Exchange {
    address public owner;
    uint256 public price;

    constructor() public {
        owner = msg.sender;
        price = 1 ether;
    }

    function setPrice(uint256 p) public {
        require(msg.sender == owner);
        price = p;
    }

    function sellBack() public {
        msg.sender.transfer(price); // VULN
    }

    function puzzle(bytes32 solution) public {
        require(sha256(solution) == 0x2b4c1c5a3f9d0e7a8b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a); // VULN
        msg.sender.transfer(10 ether);
    }
}
